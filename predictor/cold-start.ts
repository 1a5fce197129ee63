/**
 * Never-seen platforms and workloads: the towers already map side information to embeddings,
 * but the baseline and the learned features φ are per-entity. For an entity without rows the
 * baseline comes from a ridge regression of the fitted baseline on the standardised features
 * (fitted over the entities that have rows), and φ is the mean φ of those entities.
 * @module
 */
import type { Param } from '../ml/index.js'

/** Linear map from standardised features to a baseline value: b ≈ w·x + intercept. */
export interface Ridge { weights: number[]; intercept: number }

/** Solves the SPD system A x = b in place by Cholesky (A is n×n row-major, overwritten). */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]
    for (let k = 0; k < j; k++) d -= A[j * n + k] ** 2
    const l = Math.sqrt(Math.max(d, 1e-12))
    A[j * n + j] = l
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k]
      A[i * n + j] = s / l
    }
  }
  const x = Float64Array.from(b)
  for (let i = 0; i < n; i++) { for (let k = 0; k < i; k++) x[i] -= A[i * n + k] * x[k]; x[i] /= A[i * n + i] }
  for (let i = n - 1; i >= 0; i--) { for (let k = i + 1; k < n; k++) x[i] -= A[k * n + i] * x[k]; x[i] /= A[i * n + i] }
  return x
}

/**
 * Ridge regression of target[e] on x[e, :] over the entities with mask[e] = 1.
 * @param x standardised features [count × dim]
 */
export function fitRidge(x: Float32Array, dim: number, target: ArrayLike<number>, mask: Uint8Array, lambda = 1): Ridge {
  let n = 0, mean = 0
  for (let e = 0; e < mask.length; e++) if (mask[e]) { n++; mean += target[e] }
  mean = n ? mean / n : 0
  if (dim === 0 || n === 0) return { weights: new Array(dim).fill(0), intercept: mean }
  const A = new Float64Array(dim * dim), b = new Float64Array(dim)
  for (let e = 0; e < mask.length; e++) {
    if (!mask[e]) continue
    const t = target[e] - mean
    for (let i = 0; i < dim; i++) {
      const xi = x[e * dim + i]
      b[i] += xi * t
      for (let j = 0; j <= i; j++) A[i * dim + j] += xi * x[e * dim + j]
    }
  }
  for (let i = 0; i < dim; i++) { A[i * dim + i] += lambda; for (let j = 0; j < i; j++) A[j * dim + i] = A[i * dim + j] }
  return { weights: Array.from(choleskySolve(A, b, dim)), intercept: mean }
}

export function applyRidge(r: Ridge, x: Float32Array, offset: number): number {
  let s = r.intercept
  for (let i = 0; i < r.weights.length; i++) s += r.weights[i] * x[offset + i]
  return s
}

/** Mean learned features over the entities with mask[e] = 1 ([q]). */
export function meanLearned(learned: Param, mask: Uint8Array): Float32Array {
  const q = learned.shape[1], out = new Float32Array(q)
  let n = 0
  for (let e = 0; e < mask.length; e++) if (mask[e]) { n++; for (let f = 0; f < q; f++) out[f] += learned.value[e * q + f] }
  for (let f = 0; f < q; f++) out[f] = n ? out[f] / n : 0.5
  return out
}
