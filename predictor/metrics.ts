/**
 * Error and bound metrics of one pool, from log values. Both MAPE definitions are reported,
 * labelled: the paper's figures use mean |C/Ĉ − 1| (normalised by the prediction).
 * @module
 */
import { tightness } from './conformal.js'

export interface BoundMetrics {
  /** Fraction of rows with C ≤ bound. */
  coverage: number
  /** Mean |C/C̃ − 1| (the paper's figures). */
  tightness: number
  /** Eq. 11: mean max(C̃ − C, 0)/C. */
  overprovision: number
}

export interface PoolMetrics {
  rows: number
  /** Mean |C/Ĉ − 1| (the paper's MAPE). */
  mape: number
  /** Mean |C − Ĉ|/C (textbook MAPE). */
  mape_truth: number
  eps: Record<string, BoundMetrics>
}

export function mape(y: ArrayLike<number>, pred: ArrayLike<number>): { mape: number; mape_truth: number } {
  let a = 0, b = 0
  for (let r = 0; r < y.length; r++) {
    a += Math.abs(Math.exp(y[r] - pred[r]) - 1)
    b += Math.abs(Math.exp(pred[r] - y[r]) - 1)
  }
  return { mape: a / y.length, mape_truth: b / y.length }
}

export function boundMetrics(y: ArrayLike<number>, bound: ArrayLike<number>): BoundMetrics {
  let covered = 0, over = 0
  for (let r = 0; r < y.length; r++) {
    if (y[r] <= bound[r]) covered++
    over += Math.max(Math.exp(bound[r] - y[r]) - 1, 0)
  }
  return { coverage: covered / y.length, tightness: tightness(y, bound), overprovision: over / y.length }
}

/** Mean and 2 standard errors of replicate values. */
export function meanSe2(values: number[]): { mean: number; se2: number } {
  const n = values.length
  const mean = values.reduce((a, b) => a + b, 0) / n
  if (n < 2) return { mean, se2: 0 }
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)
  return { mean, se2: 2 * Math.sqrt(v / n) }
}
