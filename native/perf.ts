/**
 * Hardware counters (instructions, cycles, LLC misses) through perf_event_open, per process or
 * per CPU. Many VMs and locked-down kernels refuse them; callers get null and a reason naming
 * the errno, and must treat the counters as absent.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { binding, type RawPerf } from './binding.js'

/** The counters opened, in the order the addon returns them. */
export const PERF_COUNTERS = ['instructions', 'cycles', 'llcMisses'] as const
export type PerfCounterName = typeof PERF_COUNTERS[number]

// linux/perf_event.h: PERF_TYPE_HARDWARE and PERF_COUNT_HW_{INSTRUCTIONS,CPU_CYCLES,CACHE_MISSES},
// in PERF_COUNTERS order. CACHE_MISSES is the last-level cache on x86 and most ARM cores.
const PERF_TYPE_HARDWARE = 0
const HW_CONFIGS = [1, 0, 3]

/** What to count: one process (pid 0 = this one, all its threads) and/or one CPU (-1 = any). */
export interface PerfTarget { pid?: number, cpu?: number }

/** Counts since open or the last reset, scaled up when the kernel multiplexed the counter; null = refused. */
export type PerfSample = Record<PerfCounterName, number | null>

/** Open hardware counters; close() releases the perf fds. */
export interface PerfCounters {
  read(): PerfSample
  reset(): void
  close(): void
}

function check({ pid = 0, cpu = -1 }: PerfTarget): { pid: number, cpu: number } {
  if (!Number.isInteger(pid) || pid < -1) throw new InvalidInputError(`pid must be an integer >= -1, got ${String(pid)}`)
  if (!Number.isInteger(cpu) || cpu < -1) throw new InvalidInputError(`cpu must be an integer >= -1, got ${String(cpu)}`)
  if (pid === -1 && cpu === -1) throw new InvalidInputError('pid -1 (all processes) needs a cpu')
  return { pid, cpu }
}

/**
 * Why the kernel refuses counters for target, or null when at least one counter opens.
 * Reasons look like "cycles: ENOENT (No such file or directory)".
 */
export function perfCountersReason(target: PerfTarget = {}): string | null {
  const { pid, cpu } = check(target)
  if (!binding) return 'needs the native addon'
  const raw = binding.perfOpen(pid, cpu, PERF_TYPE_HARDWARE, HW_CONFIGS)
  raw.close()
  if (raw.errors.some((e) => e === null)) return null
  return raw.errors.map((e, i) => `${PERF_COUNTERS[i]}: ${e}`).join('; ')
}

function wrap(raw: RawPerf): PerfCounters {
  return {
    read() {
      const { values, enabledNs, runningNs } = raw.read()
      const sample = {} as PerfSample
      PERF_COUNTERS.forEach((name, i) => {
        const v = values[i]
        // A multiplexed counter ran only part of the time: scale to the enabled time.
        sample[name] = v === null ? null : runningNs[i] > 0 ? Math.round(v * enabledNs[i] / runningNs[i]) : 0
      })
      return sample
    },
    reset: () => raw.reset(),
    close: () => raw.close(),
  }
}

/**
 * Opens the counters for target, or returns null when the kernel refuses all of them (see
 * perfCountersReason for why). Counters the kernel refuses individually read as null.
 * @throws InvalidInputError for a bad pid/cpu.
 */
export function openPerfCounters(target: PerfTarget = {}): PerfCounters | null {
  const { pid, cpu } = check(target)
  if (!binding) return null
  const raw = binding.perfOpen(pid, cpu, PERF_TYPE_HARDWARE, HW_CONFIGS)
  if (raw.errors.every((e) => e !== null)) {
    raw.close()
    return null
  }
  return wrap(raw)
}
