/**
 * What a replay reports, window by window and in total. Times are milliseconds relative to the
 * replay's anchor (the planned start of its first window).
 * @module
 */

export interface EntryReport {
  thread: number
  /** Index into composition.stressors. */
  stressor: number
  name: string
  /** When it started, ms after its window's planned start (shows the shuffled order). */
  startMs: number
  plannedMs: number
  executedMs: number
  /** Kernel operations done (bytes hashed/copied, loads, inserts, blocks...; see the catalog). */
  ops: number
  /** Bytes the kernel touched (read + written, or transferred to/from disk). */
  bytes: number
}

export interface WindowReport {
  /** Window index within the replay (counting repeats). */
  index: number
  plannedStartMs: number
  /** When the latest thread began this window. */
  actualStartMs: number
  /** actualStartMs − plannedStartMs. */
  driftMs: number
  entries: EntryReport[]
}

export interface TimingSummary {
  windowMs: number
  /** Mean over all entries of |executed − planned| / W. */
  mean_abs_error_fraction: number
  /** Median and 95th percentile of |executed − planned| / W: typical and tail. */
  p50_abs_error_fraction: number
  p95_abs_error_fraction: number
  max_abs_error_fraction: number
  /** Largest |drift| of any window start. */
  max_start_drift_ms: number
  mean_start_drift_ms: number
  entries: number
}

export interface StressorTotals {
  name: string
  plannedMs: number
  executedMs: number
  ops: number
  bytes: number
}

export interface ReplayReport {
  windows: WindowReport[]
  timing: TimingSummary
  totals: { windows: number, durationMs: number, stressors: StressorTotals[] }
  /** True when the replay was aborted before its last window. */
  interrupted: boolean
  /** How the workers ran: pinned to cores, lowered priority, addon or JS fallback. */
  runtime: { threads: number, pinned: boolean, lowPriority: boolean, native: string }
}

export interface ReplayOptions {
  signal?: AbortSignal
  /** Called after each completed window. */
  onWindow?: (w: WindowReport) => void
  /** Passes over the composition (default 1). */
  repeat?: number
  /** First window to play (resume), default 0. */
  startAt?: number
  /** Keep every WindowReport in the result (default true; turn off for very long replays). */
  keepWindows?: boolean
}

export interface ExecutorOptions {
  threads: number
  caps: import('../common/config.js').Caps
  /** Pin worker k to CPU k mod ncpu where the native addon can (default true). */
  pin?: boolean
  /** Run stressor threads at lowered priority (default false). */
  lowPriority?: boolean
}
