/**
 * The row-level part of Pitot (Eq. 9) on embeddings the towers computed for ALL entities once:
 *   ŷ_h = by[i] + bx[j] + <w_i^h, p_j> + Σ_t <w_i^h, Vs_j,t> · α( Σ_{k∈K} <w_k^h, Vg_j,t> )
 * with α = leaky ReLU. Vg is indexed by the platform j and multiplied by the co-runner's WORKLOAD
 * embedding w_k (the paper's formula; the reference code indexes it by the co-runner index).
 * Row prediction and its backward pass run in the ml/ backend (SIMD WASM kernel
 * ml/assembly/eq9.ts, JS reference ml/eq9-js.ts); candidate scoring for one workload stays here.
 * @module
 */
import { eq9PlatformWidth, kernels, type Eq9Dims, type Eq9Rows, type Eq9Tables } from '../ml/index.js'
import type { Observations } from './types.js'

/** Shapes of the embedding tables. */
export type HeadDims = Eq9Dims

/** Embedding tables (values or gradients, same layout): see Eq9Tables. */
export type Embeddings = Eq9Tables

export const platformWidth = eq9PlatformWidth

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0
  for (let q = 0; q < n; q++) s += a[ao + q] * b[bo + q]
  return s
}

// Gather buffers reused across calls (the kernels are synchronous).
let gathered = { workload: new Int32Array(0), platform: new Int32Array(0), corunners: new Int32Array(0) }

function gather(obs: Observations, idx: ArrayLike<number>): Eq9Rows {
  const n = idx.length, A = obs.arity
  if (gathered.workload.length < n || gathered.corunners.length < n * A) {
    const cap = Math.max(n, gathered.workload.length)
    gathered = { workload: new Int32Array(cap), platform: new Int32Array(cap), corunners: new Int32Array(cap * Math.max(A, 1)) }
  }
  const wl = gathered.workload.subarray(0, n), pl = gathered.platform.subarray(0, n), co = gathered.corunners.subarray(0, n * A)
  for (let r = 0; r < n; r++) {
    const row = idx[r]
    wl[r] = obs.workload[row]; pl[r] = obs.platform[row]
    for (let k = 0; k < A; k++) co[r * A + k] = obs.corunners[row * A + k]
  }
  return { arity: A, workload: wl, platform: pl, corunners: co }
}

/**
 * Predicts every head for the rows `idx` of `obs` into out[r·heads + h] (log runtime).
 * `z` (optional, [rows × heads × types × 2]) receives, per interference type, the
 * pre-activation magnitude and the susceptibility <w_i, Vs_t> for the backward pass.
 * `only` restricts the output to one head (out[r]).
 */
export function predictRows(e: Embeddings, d: HeadDims, obs: Observations, idx: ArrayLike<number>, out: Float32Array | Float64Array, z?: Float32Array, only?: number): void {
  kernels().eq9Forward(e, d, gather(obs, idx), out, z, only ?? 0, only === undefined ? d.heads : only + 1)
}

/**
 * Accumulates into `g` the gradients of a loss whose derivative w.r.t. out[r·heads + h] is
 * dy[r·heads + h], for the same rows and the `z` recorded by {@link predictRows}.
 */
export function backwardRows(e: Embeddings, d: HeadDims, obs: Observations, idx: ArrayLike<number>, dy: Float32Array, z: Float32Array, g: Embeddings): void {
  kernels().eq9Backward(e, d, gather(obs, idx), dy, z, g)
}

/**
 * Interference magnitudes <w_k^h, Vg_j,t> of head h for every (platform j, co-runner k):
 * [platforms × workloads × types]. They do not depend on the workload being placed, so a
 * scorer computes them once per model and head.
 */
export function magnitudeTable(e: Embeddings, d: HeadDims, h: number): Float32Array {
  const { heads: H, rank: R, types: S } = d
  const pw = platformWidth(d), P = e.bx.length, Wn = e.by.length
  const out = new Float32Array(P * Wn * S)
  for (let j = 0; j < P; j++) for (let k = 0; k < Wn; k++) for (let t = 0; t < S; t++) {
    out[(j * Wn + k) * S + t] = dot(e.work, k * H * R + h * R, e.plat, j * pw + R + S * R + t * R, R)
  }
  return out
}

/**
 * Log predictions of heads `hs` for ONE workload against many (platform, co-runner set)
 * candidates: out[h][c]. Terms that depend only on (workload, platform) are computed once per
 * platform; with `mags` (from {@link magnitudeTable}, one per head of `hs`) a candidate costs a
 * few table lookups, otherwise one co-runner dot product per interference type and head.
 */
export function scoreWorkload(e: Embeddings, d: HeadDims, w: number, platforms: Int32Array, corunners: Int32Array, arity: number, hs: number[], mags?: Float32Array[]): Float32Array[] {
  const { heads: H, rank: R, types: S, slope } = d
  const pw = platformWidth(d), ww = H * R, P = e.bx.length, Wn = e.by.length
  return hs.map((h, hi) => {
    const mag = mags?.[hi]
    const wo = w * ww + h * R
    // Per platform: baseline + <w, p> and the susceptibilities <w, Vs_t>, computed lazily.
    const base = new Float32Array(P).fill(NaN), sus = new Float32Array(P * S)
    const out = new Float32Array(platforms.length)
    for (let c = 0; c < platforms.length; c++) {
      const j = platforms[c], po = j * pw
      if (Number.isNaN(base[j])) {
        base[j] = e.bx[j] + e.by[w] + dot(e.work, wo, e.plat, po, R)
        for (let t = 0; t < S; t++) sus[j * S + t] = dot(e.work, wo, e.plat, po + R + t * R, R)
      }
      let y = base[j]
      if (arity > 0) {
        for (let t = 0; t < S; t++) {
          const vg = po + R + S * R + t * R
          let m = 0
          if (mag) for (let k = 0; k < arity; k++) m += mag[(j * Wn + corunners[c * arity + k]) * S + t]
          else for (let k = 0; k < arity; k++) m += dot(e.work, corunners[c * arity + k] * ww + h * R, e.plat, vg, R)
          y += sus[j * S + t] * (m > 0 ? m : slope * m)
        }
      }
      out[c] = y
    }
    return out
  })
}
