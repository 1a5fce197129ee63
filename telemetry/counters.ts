/**
 * Machine-wide hardware counters for the sampler: the native addon's perf counters opened on
 * every CPU for all processes, summed. Absent (null, with the kernel's reason) on VMs and
 * locked-down kernels, or when the addon is not built.
 * @module
 */
import { openPerfCounters, PERF_COUNTERS, perfCountersReason, type PerfCounters } from '../native/index.js'

/** Cumulative counts in PERF_COUNTERS order (instructions, cycles, LLC misses); close() frees the fds. */
export interface SystemCounters {
  read(): number[]
  close(): void
}

/**
 * Opens the counters on CPUs 0..cores-1 for all processes. Returns null with a reason when any
 * CPU refuses them (a partial machine view would read as idle cores).
 */
export function openSystemCounters(cores: number): { counters: SystemCounters | null; reason: string } {
  const opened: PerfCounters[] = []
  for (let cpu = 0; cpu < cores; cpu++) {
    let c: PerfCounters | null = null
    try { c = openPerfCounters({ pid: -1, cpu }) } catch { c = null }
    if (!c) {
      for (const o of opened) o.close()
      let reason = 'perf counters refused'
      try { reason = perfCountersReason({ pid: -1, cpu }) ?? reason } catch { /* keep generic reason */ }
      return { counters: null, reason }
    }
    opened.push(c)
  }
  return {
    reason: 'perf_event_open on every CPU',
    counters: {
      read: () => {
        const sums = PERF_COUNTERS.map(() => 0)
        for (const c of opened) {
          const s = c.read()
          PERF_COUNTERS.forEach((name, i) => { sums[i]! += s[name] ?? 0 })
        }
        return sums
      },
      close: () => { for (const c of opened) c.close() },
    },
  }
}
