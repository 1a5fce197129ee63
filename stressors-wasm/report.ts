/**
 * Builds the replay report incrementally: per-window reports may be dropped (long replays) but
 * the timing summary and totals always cover every window played.
 * @module
 */
import type { EntryReport, ReplayReport, StressorTotals, WindowReport } from './report-types.js'

export class ReportBuilder {
  readonly #windowMs: number
  readonly #keep: boolean
  readonly #windows: WindowReport[] = []
  readonly #totals: StressorTotals[]
  #count = 0
  #entries = 0
  #sumErr = 0
  /** Every entry's error, for the quantiles (a few MB even for a day of 1 s windows). */
  readonly #errs: number[] = []
  #maxErr = 0
  #sumDrift = 0
  #maxDrift = 0

  constructor(windowMs: number, stressorNames: string[], keepWindows: boolean) {
    this.#windowMs = windowMs
    this.#keep = keepWindows
    this.#totals = stressorNames.map((name) => ({ name, plannedMs: 0, executedMs: 0, ops: 0, bytes: 0 }))
  }

  add(w: WindowReport): void {
    this.#count++
    const drift = Math.abs(w.driftMs)
    this.#sumDrift += drift
    this.#maxDrift = Math.max(this.#maxDrift, drift)
    for (const e of w.entries) this.#addEntry(e)
    if (this.#keep) this.#windows.push(w)
  }

  #addEntry(e: EntryReport): void {
    const err = Math.abs(e.executedMs - e.plannedMs) / this.#windowMs
    this.#entries++
    this.#sumErr += err
    this.#errs.push(err)
    this.#maxErr = Math.max(this.#maxErr, err)
    const t = this.#totals[e.stressor]!
    t.plannedMs += e.plannedMs
    t.executedMs += e.executedMs
    t.ops += e.ops
    t.bytes += e.bytes
  }

  finish(interrupted: boolean, runtime: ReplayReport['runtime']): ReplayReport {
    const sorted = Float64Array.from(this.#errs).sort()
    const q = (p: number) => (sorted.length ? sorted[Math.floor(p * (sorted.length - 1))]! : 0)
    return {
      windows: this.#windows,
      timing: {
        windowMs: this.#windowMs,
        mean_abs_error_fraction: this.#entries ? this.#sumErr / this.#entries : 0,
        p50_abs_error_fraction: q(0.5),
        p95_abs_error_fraction: q(0.95),
        max_abs_error_fraction: this.#maxErr,
        max_start_drift_ms: this.#maxDrift,
        mean_start_drift_ms: this.#count ? this.#sumDrift / this.#count : 0,
        entries: this.#entries,
      },
      totals: { windows: this.#count, durationMs: this.#count * this.#windowMs, stressors: this.#totals },
      interrupted,
      runtime,
    }
  }
}
