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

/**
 * Calibrates one pool for `eps`. `pred` holds every head for each calibration row
 * ([rows × heads], log); `heads` restricts the choice (naive CQR passes only the ξ = 1−ε head).
 */
export function calibrate(y: ArrayLike<number>, pred: ArrayLike<number>, nHeads: number, eps: number, heads?: number[]): Calibration {
  const n = y.length
  const choices = heads ?? Array.from({ length: nHeads }, (_, h) => h)
  let best: Calibration = { eps, head: choices[0], margin: Infinity }
  let bestTight = Infinity
  const res = new Float64Array(n), bound = new Float64Array(n)
  for (const h of choices) {
    for (let r = 0; r < n; r++) res[r] = y[r] - pred[r * nHeads + h]
    const margin = conformalMargin(res, eps)
    if (!Number.isFinite(margin)) continue
    for (let r = 0; r < n; r++) bound[r] = pred[r * nHeads + h] + margin
    const t = tightness(y, bound)
    if (t < bestTight) { bestTight = t; best = { eps, head: h, margin } }
  }
  return best
}

/** The head whose quantile level is closest to 1−ε: the common ("naive") CQR choice. */
export function naiveHead(quantiles: number[], eps: number): number {
  let best = 0
  quantiles.forEach((q, h) => { if (Math.abs(q - (1 - eps)) < Math.abs(quantiles[best] - (1 - eps))) best = h })
  return best
}
