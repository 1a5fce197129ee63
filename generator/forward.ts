/**
 * A learned forward model f(a) → o: the normalised trace window a composition window produces.
 * Per metric, ridge least squares on quadratic features of a (1, a_i, a_i·a_j for i ≤ j):
 * fractions that share a thread interact (a thread's stressors split its time), and with the
 * `replay` record source that is nearly all there is (held-out R² 0.95-0.99 per metric on the
 * collected data, bench/generator-state.ts). Closed form, differentiable, microseconds per call,
 * which is what guided sampling (guide.ts) needs from it.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { normalise, type Ranges } from './normalise.js'
import type { Sample } from './types.js'

/** Serialisable: weights per metric over quadFeatures(a), in normalised metric units. */
export interface ForwardModel {
  /** Composition window length the features are built from. */
  dim: number
  /** weights[n] has quadDim(dim) entries. */
  weights: number[][]
  /** Ridge λ the weights were fitted with. */
  lambda: number
  /** Held-out R² per metric (last 20 % of the samples), NaN when too few samples to hold any out. */
  r2: number[]
}

/** Number of quadratic features of a window of length d. */
export function quadDim(d: number): number { return 1 + d + (d * (d + 1)) / 2 }

/** 1, a_i, then a_i·a_j for i ≤ j (row-major over i), into `out`. */
export function quadFeatures(a: ArrayLike<number>, out: Float64Array = new Float64Array(quadDim(a.length))): Float64Array {
  const d = a.length
  out[0] = 1
  for (let i = 0; i < d; i++) out[1 + i] = a[i]!
  let k = 1 + d
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) out[k++] = a[i]! * a[j]!
  return out
}

/**
 * Ridge regression weights for rows X (each of length p), one weight vector per target in `ys`:
 * the normal equations (XᵀX + λI) w = Xᵀy solved by Cholesky (p ≤ a few hundred, so no matrix
 * library is needed). XᵀX is built and factorised once for all targets.
 */
export function ridge(X: ArrayLike<number>[], ys: ArrayLike<number>[], lambda: number): Float64Array[] {
  const p = X[0]?.length ?? 0
  if (p === 0 || ys.some((y) => y.length !== X.length)) throw new InvalidInputError(`ridge: ${X.length} rows and targets of ${ys.map((y) => y.length).join(', ')}`)
  const A = new Float64Array(p * p)
  const bs = ys.map(() => new Float64Array(p))
  for (let r = 0; r < X.length; r++) {
    const x = X[r]!
    for (let i = 0; i < p; i++) {
      const xi = x[i]!
      if (xi === 0) continue
      ys.forEach((y, t) => { bs[t]![i] += xi * y[r]! })
      for (let j = i; j < p; j++) A[i * p + j] += xi * x[j]!
    }
  }
  for (let i = 0; i < p; i++) {
    A[i * p + i] += lambda
    for (let j = 0; j < i; j++) A[i * p + j] = A[j * p + i]!
  }
  // Cholesky A = L·Lᵀ in place (lower triangle), then two triangular solves per target.
  for (let j = 0; j < p; j++) {
    let s = A[j * p + j]!
    for (let k = 0; k < j; k++) s -= A[j * p + k]! ** 2
    const d = Math.sqrt(Math.max(s, 1e-12))
    A[j * p + j] = d
    for (let i = j + 1; i < p; i++) {
      let t = A[i * p + j]!
      for (let k = 0; k < j; k++) t -= A[i * p + k]! * A[j * p + k]!
      A[i * p + j] = t / d
    }
  }
  return bs.map((b) => {
    const z = new Float64Array(p)
    for (let i = 0; i < p; i++) {
      let s = b[i]!
      for (let k = 0; k < i; k++) s -= A[i * p + k]! * z[k]!
      z[i] = s / A[i * p + i]!
    }
    const w = new Float64Array(p)
    for (let i = p - 1; i >= 0; i--) {
      let s = z[i]!
      for (let k = i + 1; k < p; k++) s -= A[k * p + i]! * w[k]!
      w[i] = s / A[i * p + i]!
    }
    return w
  })
}

/** R² of predictions against truth (NaN when the truth is constant). */
export function rSquared(pred: number[], truth: number[]): number {
  const mean = truth.reduce((a, b) => a + b, 0) / truth.length
  let se = 0
  let st = 0
  truth.forEach((v, i) => { se += (pred[i]! - v) ** 2; st += (v - mean) ** 2 })
  return st > 0 ? 1 - se / st : NaN
}

/**
 * Fits the forward model on collected samples (normalised by `ranges`). R² is measured on the
 * last 20 % fitted without them; the returned weights use every sample.
 * @throws InvalidInputError when there are fewer samples than two.
 */
export function fitForward(ranges: Ranges, samples: Sample[], lambda = 1e-3): ForwardModel {
  if (samples.length < 2) throw new InvalidInputError(`forward model needs at least 2 samples, got ${samples.length}`)
  const dim = samples[0]!.comp.length
  const X = samples.map((s) => quadFeatures(s.comp))
  const obs = samples.map((s) => normalise(ranges, s.obs))
  const cut = Math.floor(samples.length * 0.8)
  const dot = (w: Float64Array, x: Float64Array) => { let s = 0; for (let i = 0; i < x.length; i++) s += w[i]! * x[i]!; return s }
  const ys = ranges.metrics.map((_, n) => obs.map((o) => (Number.isFinite(o[n]!) ? o[n]! : 0)))
  const held = cut >= 1 && samples.length - cut >= 2 ? ridge(X.slice(0, cut), ys.map((y) => y.slice(0, cut)), lambda) : undefined
  const r2 = ys.map((y, n) => (held ? rSquared(X.slice(cut).map((x) => dot(held[n]!, x)), y.slice(cut)) : NaN))
  const weights = ridge(X, ys, lambda).map((w) => Array.from(w))
  return { dim, weights, lambda, r2 }
}

/** Prediction and gradient of a fitted forward model, reusing buffers between calls. */
export class Forward {
  readonly #w: Float64Array[]
  readonly #feat: Float64Array
  /** f(a) of the last lossGrad call (guided sampling calls it in a tight loop). */
  readonly #pred: Float32Array
  readonly dim: number
  readonly metrics: number

  constructor(readonly model: ForwardModel) {
    this.dim = model.dim
    this.metrics = model.weights.length
    this.#w = model.weights.map((w) => {
      if (w.length !== quadDim(model.dim)) throw new InvalidInputError(`forward model: ${w.length} weights, expected ${quadDim(model.dim)}`)
      return Float64Array.from(w)
    })
    this.#feat = new Float64Array(quadDim(model.dim))
    this.#pred = new Float32Array(this.metrics)
  }

  /** f(a), normalised metric units. */
  predict(a: ArrayLike<number>, out: Float32Array = new Float32Array(this.metrics)): Float32Array {
    const f = quadFeatures(a, this.#feat)
    for (let n = 0; n < this.metrics; n++) {
      const w = this.#w[n]!
      let s = 0
      for (let i = 0; i < f.length; i++) s += w[i]! * f[i]!
      out[n] = s
    }
    return out
  }

  /**
   * Loss over the metrics the goal has (NaN = missing, ignored): Σ_n (f_n(a) − goal_n)², or with
   * `l1` Σ_n |f_n(a) − goal_n| (what alignment rewards; a goal the device cannot reach then pulls
   * no harder than a reachable one). Its gradient with respect to a is written into `grad`.
   */
  lossGrad(a: ArrayLike<number>, goal: ArrayLike<number>, grad?: Float64Array, l1 = false): number {
    const d = this.dim
    const pred = this.predict(a, this.#pred)
    grad?.fill(0)
    let loss = 0
    for (let n = 0; n < this.metrics; n++) {
      if (Number.isNaN(goal[n]!)) continue
      const r = pred[n]! - goal[n]!
      loss += l1 ? Math.abs(r) : r * r
      if (!grad) continue
      const w = this.#w[n]!
      const c = l1 ? Math.sign(r) : 2 * r
      // ∂/∂a_i of Σ_{i≤j} w_ij a_i a_j is Σ_{j≥i} w_ij a_j + Σ_{j≤i} w_ji a_j (the square term counted twice).
      for (let i = 0; i < d; i++) grad[i] += c * w[1 + i]!
      let k = 1 + d
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
          const wk = c * w[k++]!
          grad[i] += wk * a[j]!
          grad[j] += wk * a[i]!
        }
      }
    }
    return loss
  }
}
