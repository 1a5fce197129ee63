/**
 * Exact dynamic time warping with absolute cost, and the MimeSys normalised DTW
 * (see shared/notes/mimesys-reference.md): per metric DTW / (T × range), averaged over metrics.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { column } from './trace-io.js'
import type { Trace } from './types.js'

/**
 * Exact DTW distance between two series with cost |x_i − y_j|, optionally restricted to a
 * Sakoe-Chiba band of half-width `band` samples around the (length-scaled) diagonal.
 * Two-row dynamic programme on typed arrays: O(n·m) time (O(n·band) with a band), O(m) memory.
 * @example dtw([0,0,1,2,1,0,1,0,0], [0,1,2,0,0,0,0,0,0]) // 2
 * @throws InvalidInputError for empty series, non-finite values or a negative band.
 */
export function dtw(x: ArrayLike<number>, y: ArrayLike<number>, band?: number): number {
  const n = x.length
  const m = y.length
  if (n === 0 || m === 0) throw new InvalidInputError('dtw: series must not be empty')
  if (band !== undefined && !(band >= 0 && Number.isFinite(band))) throw new InvalidInputError(`dtw: band must be a non-negative number, got ${band}`)
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]!)) throw new InvalidInputError(`dtw: x[${i}] is not finite`)
  for (let j = 0; j < m; j++) if (!Number.isFinite(y[j]!)) throw new InvalidInputError(`dtw: y[${j}] is not finite`)
  const xs = Float64Array.from(x)
  const ys = Float64Array.from(y)
  const slope = n > 1 ? (m - 1) / (n - 1) : 0
  // Consecutive rows' windows must touch: a diagonal steeper than 2r + 1 columns per row would
  // disconnect the path, so the band widens to (slope − 1) / 2 for very unequal lengths.
  const r = band === undefined ? m : Math.max(Math.floor(band), Math.ceil((slope - 1) / 2))
  // Rows are shifted by one: index j + 1 holds column j, index j the cell to its left. Windows
  // only move right, so cells a row never wrote are still Infinity when the next row reads them.
  let prev = new Float64Array(m + 1).fill(Infinity)
  let cur = new Float64Array(m + 1).fill(Infinity)
  prev[0] = 0 // the virtual cell before (0, 0)
  for (let i = 0; i < n; i++) {
    const c = i * slope
    const lo = Math.max(0, Math.floor(c) - r)
    const hi = Math.min(m - 1, Math.ceil(c) + r)
    const xi = xs[i]!
    cur[lo] = Infinity
    for (let j = lo; j <= hi; j++) {
      const left = cur[j]!
      const up = prev[j + 1]!
      const diag = prev[j]!
      const best = left < up ? (left < diag ? left : diag) : (up < diag ? up : diag)
      cur[j + 1] = Math.abs(xi - ys[j]!) + best
    }
    const t = prev
    prev = cur
    cur = t
  }
  return prev[m]!
}

/** Options of normalisedDtw. */
export interface NormalisedDtwOptions {
  /** Range (max − min) per metric, e.g. from a training corpus (`rangesFromTraces`). Default: over a and b together. */
  ranges?: Record<string, number>
  /** Sakoe-Chiba half-width in samples; exact unconstrained DTW when omitted. */
  band?: number
  /** Metrics to compare; default every column both traces share except time_s (and, with ranges, that has a range). */
  metrics?: string[]
}

/** Per-metric and mean normalised DTW: 0 = identical, 0.1 ≈ 10% of the range apart. */
export interface NormalisedDtwResult {
  per_metric: Record<string, number>
  mean: number
}

/**
 * MimeSys normalised DTW between two traces: for each metric, DTW(|a − b|) / (T × range) with
 * T = the longer trace's length, then the mean over metrics. A metric whose range is 0 (constant
 * and equal in both traces under the default ranges) scores 0.
 * @throws InvalidInputError when no metric is shared, a metric is missing, or a given range is not positive.
 */
export function normalisedDtw(a: Trace, b: Trace, { ranges, band, metrics }: NormalisedDtwOptions = {}): NormalisedDtwResult {
  // With ranges from a reference corpus, compare what the corpus covers.
  const names = metrics ?? a.columns.filter((c) => c !== 'time_s' && b.columns.includes(c) && (!ranges || c in ranges))
  if (names.length === 0) throw new InvalidInputError('normalisedDtw: the traces share no metric column')
  const T = Math.max(a.rows.length, b.rows.length)
  const per_metric: Record<string, number> = {}
  for (const name of names) {
    const x = column(a, name)
    const y = column(b, name)
    let range: number
    if (ranges && name in ranges) {
      range = ranges[name]!
      if (!(range > 0 && Number.isFinite(range))) throw new InvalidInputError(`normalisedDtw: range of ${name} must be a positive number, got ${range}`)
    } else if (ranges) {
      throw new InvalidInputError(`normalisedDtw: no range given for ${name}`)
    } else {
      range = spread([x, y])
    }
    per_metric[name] = range === 0 ? 0 : dtw(x, y, band) / (T * range)
  }
  const values = Object.values(per_metric)
  return { per_metric, mean: values.reduce((s, v) => s + v, 0) / values.length }
}

/** max − min over several series. */
function spread(series: ArrayLike<number>[]): number {
  let lo = Infinity
  let hi = -Infinity
  for (const s of series) for (let i = 0; i < s.length; i++) { lo = Math.min(lo, s[i]!); hi = Math.max(hi, s[i]!) }
  return hi - lo
}

/**
 * Per-metric ranges (max − min) over a reference corpus, the normaliser MimeSys uses.
 * Only metrics present in every trace are returned; time_s is skipped.
 */
export function rangesFromTraces(traces: Trace[]): Record<string, number> {
  if (traces.length === 0) throw new InvalidInputError('rangesFromTraces: no traces given')
  const shared = traces[0]!.columns.filter((c) => c !== 'time_s' && traces.every((t) => t.columns.includes(c)))
  return Object.fromEntries(shared.map((name) => [name, spread(traces.map((t) => column(t, name)))]))
}
