/**
 * Live telemetry for SSE watchers and the metrics endpoint. A sampler runs only while someone
 * listens (an active replay, an SSE stream), so an idle daemon takes no samples. The contention
 * probe is off here: it would run on the API thread, and trace recordings have their own.
 * @module
 */
import { Sampler } from '../telemetry/index.js'
import type { DaemonMetrics } from './metrics.js'

/** The telemetry Sampler keeps every row it takes; a fresh one every ROTATE rows bounds that. */
const ROTATE = 3600

export interface TelemetrySample {
  /** Epoch ms of the sample. */
  t: number
  values: Record<string, number>
}

export class TelemetryHub {
  readonly #periodMs: () => number
  readonly #listeners = new Set<(s: TelemetrySample) => void>()
  #sampler: Sampler | undefined
  #latest: TelemetrySample | undefined
  #rows = 0
  /** Why live telemetry is off, when the sampler could not start (replays go on without it). */
  unavailable: string | undefined

  constructor(periodMs: () => number) {
    this.#periodMs = periodMs
  }

  /** Calls `fn` with every sample until the returned function is called. */
  subscribe(fn: (s: TelemetrySample) => void): () => void {
    this.#listeners.add(fn)
    if (!this.#sampler && this.unavailable === undefined) {
      try {
        this.#startSampler()
      } catch (err) {
        this.unavailable = (err as Error).message
      }
    }
    return () => {
      this.#listeners.delete(fn)
      if (this.#listeners.size === 0 && this.#sampler) {
        // stop() returns the rows kept so far; dropping them is the point (no growth while idle).
        this.#sampler.stop()
        this.#sampler = undefined
      }
    }
  }

  /** The newest sample, if any was taken. */
  latest(): TelemetrySample | undefined {
    return this.#latest
  }

  /**
   * Copies the newest sample into the sampler gauge (called on each /metrics scrape); while
   * nothing samples, the gauge is empty rather than stale.
   */
  exportLatest(m: DaemonMetrics): void {
    m.samplerValue.reset()
    if (!this.#sampler || !this.#latest) return
    for (const [metric, v] of Object.entries(this.#latest.values)) m.samplerValue.set({ metric }, v)
  }

  close(): void {
    this.#listeners.clear()
    this.#sampler?.stop()
    this.#sampler = undefined
  }

  #startSampler(): void {
    this.#rows = 0
    this.#sampler = new Sampler({ periodMs: this.#periodMs(), probe: false })
    this.#sampler.start((row, columns) => this.#publish(row, columns))
  }

  #publish(row: number[], columns: readonly string[]): void {
    if (++this.#rows >= ROTATE) {
      this.#sampler?.stop()
      this.#startSampler()
    }
    const values: Record<string, number> = {}
    columns.forEach((c, i) => { if (c !== 'time_s') values[c] = row[i]! })
    this.#latest = { t: Date.now(), values }
    for (const fn of this.#listeners) fn(this.#latest)
  }
}
