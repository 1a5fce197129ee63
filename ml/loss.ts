/**
 * Losses with their gradients in one pass: each returns the mean loss and, when `grad` is given,
 * writes d(weight·loss)/d(pred) into it (overwriting), ready for a backward pass.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { checkLength } from './check.js'

export interface LossOptions {
  /** Receives the gradient of weight·loss with respect to pred. */
  grad?: Float32Array
  /** Scales loss and gradient (objective weights). */
  weight?: number
}

/** Mean squared error over the n = target.length values. */
export function mse(pred: Float32Array, target: ArrayLike<number>, { grad, weight = 1 }: LossOptions = {}): number {
  const n = target.length
  if (n === 0) throw new InvalidInputError('mse: empty target')
  checkLength('mse pred', pred, n)
  if (grad) checkLength('mse grad', grad, n)
  let s = 0
  const g = (2 * weight) / n
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i]
    s += d * d
    if (grad) grad[i] = g * d
  }
  return (weight * s) / n
}

/**
 * Pinball (quantile) loss for H heads: pred is n×H row-major, head h estimates quantile
 * `quantiles[h]` of target[r]. Mean over rows and heads (each head weighs 1/H, as in Pitot).
 */
export function pinball(pred: Float32Array, target: ArrayLike<number>, quantiles: readonly number[] | number,
  { grad, weight = 1 }: LossOptions = {}): number {
  const qs = typeof quantiles === 'number' ? [quantiles] : quantiles
  const n = target.length
  const h = qs.length
  if (n === 0 || h === 0) throw new InvalidInputError('pinball: empty target or no quantiles')
  if (qs.some((q) => !(q > 0 && q < 1))) throw new InvalidInputError(`pinball: quantiles must lie in (0, 1), got [${qs.join(', ')}]`)
  checkLength('pinball pred', pred, n * h)
  if (grad) checkLength('pinball grad', grad, n * h)
  const scale = weight / (n * h)
  let s = 0
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < h; j++) {
      const i = r * h + j
      const u = target[r] - pred[i]
      const q = qs[j]
      s += u > 0 ? q * u : (q - 1) * u
      if (grad) grad[i] = scale * (u > 0 ? -q : 1 - q)
    }
  }
  return s * scale
}
