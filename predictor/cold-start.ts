/**
 * Never-seen platforms and workloads: the towers already map side information to embeddings,
 * but the baseline and the learned features φ are per-entity. For an entity without rows the
 * baseline comes from a ridge regression of the fitted baseline on the standardised features
 * (fitted over the entities that have rows), and φ is the mean φ of those entities.
 * Bounds for rows touching such entities come from separate calibration pools (see fit.ts,
 * the cold probe), chosen per row by which of its entities the model has never trained on.
 * @module
 */
import type { Param } from '../ml/index.js'
import type { Observations } from './types.js'

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

/**
 * Which calibration pool a row belongs to, by what the model knows of its entities:
 * `platform` (unseen platform, known workloads), `workload` (unseen target workload, known
 * platform), `corunner` (only a co-runner unseen), `both` (unseen platform and an unseen
 * workload). Their errors differ by an order of magnitude, so each gets its own margin.
 */
export type ColdKind = 'platform' | 'workload' | 'corunner' | 'both'
export const COLD_KINDS: readonly ColdKind[] = ['platform', 'workload', 'corunner', 'both']

/** Per entity 1 = trained on; 0 or an index past the end = predicted from features only. */
export interface SeenMasks { platform: ArrayLike<number>; workload: ArrayLike<number> }

const known = (mask: ArrayLike<number>, e: number) => e < mask.length && mask[e] === 1

/** The cold pool of row r, or null when the model was trained on all of its entities. */
export function rowKind(obs: Observations, r: number, seen: SeenMasks): ColdKind | null {
  const A = obs.arity
  const p = !known(seen.platform, obs.platform[r]), w = !known(seen.workload, obs.workload[r])
  let k = false
  for (let i = 0; i < A && !k; i++) k = !known(seen.workload, obs.corunners[r * A + i])
  if (p) return w || k ? 'both' : 'platform'
  return w ? 'workload' : k ? 'corunner' : null
}

/**
 * The unseen entity row r clusters with (its platform, else its first unseen workload), as one
 * id space: platforms 0..P-1, workloads P + index. Rows of one entity share its error, so
 * calibration resamples entities, not rows.
 */
export function rowGroup(obs: Observations, r: number, seen: SeenMasks, platforms: number): number {
  if (!known(seen.platform, obs.platform[r])) return obs.platform[r]
  if (!known(seen.workload, obs.workload[r])) return platforms + obs.workload[r]
  for (let i = 0; i < obs.arity; i++) {
    const k = obs.corunners[r * obs.arity + i]
    if (!known(seen.workload, k)) return platforms + k
  }
  return -1
}

/** Cold calibration rows of one kind and arity: the probe's log predictions of every head. */
export interface ResidualPool {
  group: Int32Array
  /** ln runtime [rows] */
  y: Float64Array
  /** [rows × heads] */
  pred: Float32Array
}

/** kind → arity → rows. */
export type ColdRows = Partial<Record<ColdKind, ResidualPool[]>>

/** Gives every arity below the highest present an (empty) pool, so lookups by arity fall back in order. */
export function denseColdRows(rows: ColdRows): ColdRows {
  for (const kind of COLD_KINDS) {
    const ps = rows[kind]
    if (ps) for (let a = 0; a < ps.length; a++) ps[a] ??= { group: new Int32Array(0), y: new Float64Array(0), pred: new Float32Array(0) }
  }
  return rows
}
