/**
 * Per-window trace recording aligned with replay windows: the caller marks each window end and
 * gets that window's metrics in trace units (% busy per core, bytes/s).
 *
 * Two sources. `system` reads /proc/stat and /proc/diskstats like the sampler that recorded
 * the targets (right on a quiet device). `process` counts only this process's threads (the
 * stressor workers, pinned one per core) from /proc/self/task/<tid>/stat and /proc/self/io:
 * on a shared machine where other jobs keep the cores busy, it measures what the composition
 * itself did, which is what the generator has to learn.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs'
import { InvalidInputError } from '../common/errors.js'
import { procReader, wholeDisks } from '../telemetry/proc.js'

export type RecordSource = 'system' | 'process'
export const RECORD_SOURCES: readonly RecordSource[] = ['system', 'process']

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux builds we support). */
const HZ = 100

interface Counters { busy: number[]; total: number[] | null; read: number; write: number; at: number }

/** Starts recording; `mark()` returns the metrics since the previous mark (or the start). */
export function startRecorder(source: RecordSource, metrics: string[], cores: number): { mark(): Float32Array } {
  if (!RECORD_SOURCES.includes(source)) throw new InvalidInputError(`record source must be one of ${RECORD_SOURCES.join(', ')}, got '${source}'`)
  const read = source === 'system' ? systemReader() : () => processCounters(cores)
  let last = read()
  return {
    mark() {
      const now = read()
      const dt = Math.max(1e-3, (now.at - last.at) / 1000)
      const out = new Float32Array(metrics.length)
      metrics.forEach((m, n) => {
        const core = /^cpu_util_(\d+)$/.exec(m)
        if (core) {
          const k = Number(core[1])
          const busy = (now.busy[k] ?? 0) - (last.busy[k] ?? 0)
          const total = now.total && last.total ? (now.total[k] ?? 0) - (last.total[k] ?? 0) : dt * HZ
          out[n] = total > 0 ? Math.min(100, Math.max(0, 100 * busy / total)) : 0
        } else if (m === 'disk_read_bytes_per_s') out[n] = Math.max(0, (now.read - last.read) / dt)
        else if (m === 'disk_write_bytes_per_s') out[n] = Math.max(0, (now.write - last.write) / dt)
        else out[n] = NaN
      })
      last = now
      return out
    },
  }
}

function systemReader(): () => Counters {
  const reader = procReader({}, wholeDisks())
  return () => {
    const r = reader()
    return { busy: r.cpuBusy, total: r.cpuTotal, read: r.readSectors * 512, write: r.writeSectors * 512, at: performance.now() }
  }
}

/** CPU ticks of this process's threads by the core each last ran on, and its storage I/O bytes. */
function processCounters(cores: number): Counters {
  const busy = new Array<number>(cores).fill(0)
  for (const tid of readdirSync('/proc/self/task')) {
    let text: string
    try { text = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1') } catch { continue } // thread exited
    // Fields after the parenthesised name start at field 3 (state): utime 14, stime 15, processor 39.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    const k = Number(f[36])
    if (k < cores) busy[k] += Number(f[11]) + Number(f[12])
  }
  const io = readFileSync('/proc/self/io', 'latin1')
  const num = (key: string) => Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(io)?.[1] ?? 0)
  return { busy, total: null, read: num('read_bytes'), write: num('write_bytes'), at: performance.now() }
}
