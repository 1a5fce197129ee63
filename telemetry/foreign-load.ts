/**
 * How much of the machine other processes used while this one measured it: system-wide busy
 * time (/proc/stat, all cores) minus this process's own CPU time (every thread, from
 * process.cpuUsage), as % of one core. A recording read from /proc (the `system` source, like
 * the targets) counts that load as the stressors'; replays on a busy device say so instead of
 * silently training or scoring on another program's CPU time. Kernel threads working for this
 * process (block I/O completion, writeback) count as foreign, so a few % is normal under disk
 * stressors.
 * @module
 */
import { readFileSync } from 'node:fs'
import { parseProcStat, USER_HZ } from './proc.js'

/** Above this mean (% of one core), /proc recordings are not trusted: warn. */
export const FOREIGN_LOAD_WARN_PCT = 20

interface Reading { busyS: number; ownS: number; at: number }

function read(procStat: string): Reading {
  const busy = parseProcStat(readFileSync(procStat, 'latin1')).busy.reduce((s, v) => s + (v ?? 0), 0)
  const own = process.cpuUsage()
  return { busyS: busy / USER_HZ, ownS: (own.user + own.system) / 1e6, at: performance.now() }
}

/**
 * Starts measuring; `stop()` returns the mean foreign load since the start (% of one core, ≥ 0)
 * and the seconds it covers.
 */
export function foreignLoadMeter(procStat = '/proc/stat'): { stop(): { pct: number; seconds: number } } {
  const start = read(procStat)
  return {
    stop() {
      const end = read(procStat)
      const seconds = (end.at - start.at) / 1000
      const foreign = end.busyS - start.busyS - (end.ownS - start.ownS)
      return { pct: seconds > 0 ? Math.max(0, (100 * foreign) / seconds) : 0, seconds }
    },
  }
}
