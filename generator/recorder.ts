/**
 * Per-window trace recording aligned with replay windows: the caller marks each window end and
 * gets that window's metrics in trace units (% busy per core, bytes/s).
 *
 * Three sources. `system` reads /proc/stat and /proc/diskstats like the sampler that recorded
 * the targets (right on a quiet device). `process` counts only this process's threads (the
 * stressor workers, pinned one per core) from /proc/self/task/<tid>/stat and /proc/self/io.
 * Both read counters when the main thread hears that a window ended, which on a loaded machine
 * can be late or bunched, so short windows get smeared into each other. `replay` avoids that:
 * it takes each window's own report from the executor (how long each CPU/memory stressor ran on
 * each thread, how many bytes each disk stressor moved), exact to the window whatever the load.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs'
import { InvalidInputError } from '../common/errors.js'
import type { WindowReport } from '../stressors-wasm/report-types.js'
import { procReader, USER_HZ, wholeDisks } from '../telemetry/proc.js'
import type { Space } from './types.js'

export type RecordSource = 'system' | 'process' | 'replay'
export const RECORD_SOURCES: readonly RecordSource[] = ['system', 'process', 'replay']

interface Counters { busy: number[]; total: number[] | null; read: number; write: number; at: number }

/**
 * One trace window from the executor's report of that window: per-thread busy % of the
 * CPU/memory stressors, disk read and write bytes/s of the disk stressors.
 */
export function windowFromReport(space: Space, w: WindowReport): Float32Array {
  const out = new Float32Array(space.metrics.length)
  const busy = new Float64Array(space.threads)
  let read = 0
  let write = 0
  for (const e of w.entries) {
    if (!space.disk[e.stressor]) busy[e.thread] += e.executedMs
    else if (e.name.startsWith('disk-read')) read += e.bytes
    else write += e.bytes
  }
  const s = space.windowMs / 1000
  space.metrics.forEach((m, n) => {
    const core = /^cpu_util_(\d+)$/.exec(m)
    if (core) out[n] = Math.min(100, (100 * (busy[Number(core[1])] ?? 0)) / space.windowMs)
    else if (m === 'disk_read_bytes_per_s') out[n] = read / s
    else if (m === 'disk_write_bytes_per_s') out[n] = write / s
    else out[n] = NaN
  })
  return out
}

/** Starts recording from /proc (system or process); `mark()` returns the metrics since the previous mark (or the start). */
export function startRecorder(source: Exclude<RecordSource, 'replay'>, metrics: string[], cores: number): { mark(): Float32Array } {
  if (source !== 'system' && source !== 'process') throw new InvalidInputError(`/proc record source must be system or process, got '${source}'`)
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
          const total = now.total && last.total ? (now.total[k] ?? 0) - (last.total[k] ?? 0) : dt * USER_HZ
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
