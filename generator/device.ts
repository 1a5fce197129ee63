/**
 * The generator's view of the device: turn composition windows into a stressors-wasm
 * Composition, replay it on an Executor and record one trace window per composition window.
 * @module
 */
import { loadConfig } from '../common/config.js'
import { Executor } from '../stressors-wasm/executor.js'
import { FOREIGN_LOAD_WARN_PCT, foreignLoadMeter } from '../telemetry/foreign-load.js'
import { parseComposition, type Composition } from '../stressors-wasm/composition.js'
import { startRecorder, windowFromReport, type RecordSource } from './recorder.js'
import type { Space } from './types.js'

/** Disk stressors cycle through 32 MiB files: enough to defeat read-ahead, quick to prepare. */
const DISK_FILE_BYTES = 32 * 1024 * 1024

/** Windows (flat M×K, index m·K + k) → a Composition in the stressors-wasm format. */
export function toComposition(space: Space, windows: Float32Array[], source = 'generator'): Composition {
  const K = space.threads
  return parseComposition({
    version: 1, windowMs: space.windowMs, threads: K,
    stressors: space.stressors.map((name, m) => ({ name, params: space.disk[m] ? { fileBytes: DISK_FILE_BYTES } : {} })),
    windows: windows.map((w) => space.stressors.map((_, m) => Array.from({ length: K }, (_, k) => Math.round(w[m * K + k]! * 1e4) / 1e4))),
    metadata: { source },
  })
}

/** What alignment and the closed loop replay windows on: a Device, or a stand-in such as align.ts forwardReplayer. */
export type Replayer = Pick<Device, 'run'>

/** Replays windows and records the device; one per process, reused across replays. */
export class Device {
  #foreignPctS = 0
  #seconds = 0
  private constructor(private readonly executor: Executor, readonly source: RecordSource) {}

  /**
   * Mean load of other processes during this device's replays so far (% of one core;
   * telemetry/foreign-load.ts); null before the first. It does not touch `replay` recordings,
   * but `system` and `process` ones count it as the stressors' own.
   */
  get foreignLoadPct(): number | null { return this.#seconds > 0 ? this.#foreignPctS / this.#seconds : null }

  /** Starts the stressor workers (one per thread of the space); records as the space says unless `source` is given. */
  static async open(space: Space, source: RecordSource = space.source): Promise<Device> {
    return new Device(await Executor.create({ threads: space.threads, caps: loadConfig().caps }), source)
  }

  /**
   * Replays `windows` and returns the trace window each produced (raw units). An idle window is
   * played first so that the recording starts after the executor's preparation (buffer and file
   * setup), not before it.
   */
  async run(space: Space, windows: Float32Array[], { signal, onWindow }: {
    signal?: AbortSignal
    onWindow?: (t: number, obs: Float32Array) => void
  } = {}): Promise<Float32Array[]> {
    const comp = toComposition(space, [new Float32Array(windows[0]!.length), ...windows])
    const out: Float32Array[] = []
    let rec: ReturnType<typeof startRecorder> | undefined
    let meter: ReturnType<typeof foreignLoadMeter> | undefined
    await this.executor.replay(comp, {
      signal, keepWindows: false,
      onWindow: (w) => {
        if (w.index === 0) {
          if (this.source !== 'replay') rec = startRecorder(this.source, space.metrics, space.threads)
          meter = foreignLoadMeter()
          return
        }
        const obs = rec ? rec.mark() : windowFromReport(space, w)
        out.push(obs)
        onWindow?.(w.index - 1, obs)
      },
    })
    if (meter) {
      const { pct, seconds } = meter.stop()
      this.#foreignPctS += pct * seconds
      this.#seconds += seconds
    }
    return out
  }

  async close(): Promise<void> { await this.executor.close() }
}

/** A sentence when the device's /proc recordings so far shared the machine with too much other load; null otherwise. */
export function foreignLoadWarning(device: Pick<Device, 'source' | 'foreignLoadPct'>): string | null {
  const pct = device.foreignLoadPct
  if (device.source === 'replay' || pct === null || pct <= FOREIGN_LOAD_WARN_PCT) return null
  return `other processes used ${pct.toFixed(0)} % of a core during the replays; the '${device.source}' source counted it as the stressors' (use --source replay on a shared machine, or record when it is quiet)`
}
