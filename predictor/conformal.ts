/**
 * Conformalised quantile regression (Pitot Sec. 3.5): per pool (number of co-runners) and per
 * miscoverage ε, every quantile head is shifted by the exact finite-sample order statistic of
 * its calibration residuals, and the head whose calibrated bound is tightest on the calibration
 * rows is kept. Everything in log space: bound = ŷ_h + margin.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'

/** The calibrated bound of one pool for one ε. */
export interface Calibration {
  eps: number
  head: number
  /** Added to the head's log prediction; +Infinity when the pool is too small for this ε. */
  margin: number
}

/**
 * The ⌈(n+1)(1−ε)⌉-th smallest residual (1-based): with exchangeable rows, a new residual is
 * at most this value with probability ≥ 1−ε. +Infinity when that rank exceeds n.
 */
export function conformalMargin(residuals: ArrayLike<number>, eps: number): number {
  if (!(eps > 0 && eps < 1)) throw new InvalidInputError(`miscoverage eps must be in (0, 1), got ${eps}`)
  const n = residuals.length
  const k = Math.ceil((n + 1) * (1 - eps))
  if (k > n) return Infinity
  const sorted = Float64Array.from(residuals).sort()
  return sorted[k - 1]
}

/** Mean |C/C̃ − 1| of a bound (the paper's "tightness"), from log values. */
export function tightness(y: ArrayLike<number>, bound: ArrayLike<number>): number {
  let s = 0
  for (let r = 0; r < y.length; r++) s += Math.abs(Math.exp(y[r] - bound[r]) - 1)
  return y.length ? s / y.length : NaN
}

/** Margin and calibration tightness of each candidate head on rows `rows`. */
function headMargins(y: ArrayLike<number>, pred: ArrayLike<number>, nHeads: number, eps: number, choices: number[], rows: number[]): { head: number; margin: number; tight: number }[] {
  const n = rows.length, res = new Float64Array(n), yy = Float64Array.from(rows, (r) => y[r]), bound = new Float64Array(n)
  return choices.map((h) => {
    rows.forEach((r, q) => { res[q] = y[r] - pred[r * nHeads + h] })
    const margin = conformalMargin(res, eps)
    rows.forEach((r, q) => { bound[q] = pred[r * nHeads + h] + margin })
    return { head: h, margin, tight: Number.isFinite(margin) ? tightness(yy, bound) : Infinity }
  })
}

/**
 * Calibrates one pool for `eps`. `pred` holds every head for each calibration row
 * ([rows × heads], log); `heads` restricts the choice (naive CQR passes only the ξ = 1−ε head).
 * With `splitSelection` (default) the head is chosen on half of the rows and its margin comes
 * from the other half: choosing and calibrating on the same rows makes the chosen bound
 * slightly optimistic, which showed as coverage a few tenths of a percent under 1−ε.
 */
export function calibrate(y: ArrayLike<number>, pred: ArrayLike<number>, nHeads: number, eps: number, heads?: number[], splitSelection = true): Calibration {
  const n = y.length
  const choices = heads ?? Array.from({ length: nHeads }, (_, h) => h)
  const all = Array.from({ length: n }, (_, r) => r)
  // Rows arrive in random order (a random split), so alternate rows form two random halves.
  const split = splitSelection && choices.length > 1
  const pick = split ? all.filter((r) => r % 2 === 0) : all
  const best = headMargins(y, pred, nHeads, eps, choices, pick).reduce((a, b) => (b.tight < a.tight ? b : a))
  if (!split) return { eps, head: best.head, margin: best.margin }
  const [held] = headMargins(y, pred, nHeads, eps, [best.head], all.filter((r) => r % 2 === 1))
  return { eps, head: best.head, margin: held.margin }
}

/** The head whose quantile level is closest to 1−ε: the common ("naive") CQR choice. */
export function naiveHead(quantiles: number[], eps: number): number {
  let best = 0
  quantiles.forEach((q, h) => { if (Math.abs(q - (1 - eps)) < Math.abs(quantiles[best] - (1 - eps))) best = h })
  return best
}
