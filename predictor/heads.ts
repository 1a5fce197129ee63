/**
 * The row-level part of Pitot (Eq. 9) on embeddings the towers computed for ALL entities once:
 *   ŷ_h = by[i] + bx[j] + <w_i^h, p_j> + Σ_t <w_i^h, Vs_j,t> · α( Σ_{k∈K} <w_k^h, Vg_j,t> )
 * with α = leaky ReLU. Vg is indexed by the platform j and multiplied by the co-runner's WORKLOAD
 * embedding w_k (the paper's formula; the reference code indexes it by the co-runner index).
 * Forward and backward are hand-written because they are gathers and short dot products per
 * row, which no generic layer expresses.
 * @module
 */
import type { Observations } from './types.js'

/** Shapes of the embedding tables. */
export interface HeadDims {
  heads: number
  rank: number
  /** Interference types s; 0 disables the interference term. */
  types: number
  slope: number
}

/** Embedding tables (values or gradients, same layout). */
export interface Embeddings {
  /** [workloads × heads·rank] */
  work: Float32Array
  /** [platforms × (rank + 2·types·rank)]: p_j, then Vs_j,t, then Vg_j,t. */
  plat: Float32Array
  /** Baseline per platform / workload. */
  bx: Float32Array
  by: Float32Array
}

export function platformWidth(d: HeadDims): number { return d.rank * (1 + 2 * d.types) }

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0
  for (let q = 0; q < n; q++) s += a[ao + q] * b[bo + q]
  return s
}

/**
 * Predicts every head for the rows `idx` of `obs` into out[r·heads + h] (log runtime).
 * `z` (optional, [rows × heads × types × 2]) receives, per interference type, the
 * pre-activation magnitude and the susceptibility <w_i, Vs_t> for the backward pass.
 * `only` restricts the output to one head (out[r]).
 */
export function predictRows(e: Embeddings, d: HeadDims, obs: Observations, idx: ArrayLike<number>, out: Float32Array | Float64Array, z?: Float32Array, only?: number): void {
  const { heads: H, rank: R, types: S, slope } = d
  const pw = platformWidth(d), ww = H * R, A = obs.arity
  const W = e.work, P = e.plat, bx = e.bx, by = e.by, K = obs.corunners
  const h0 = only ?? 0, h1 = only === undefined ? H : only + 1, stride = h1 - h0
  for (let r = 0; r < idx.length; r++) {
    const row = idx[r], i = obs.workload[row], j = obs.platform[row]
    const po = j * pw, base = bx[j] + by[i]
    for (let h = h0; h < h1; h++) {
      const wo = i * ww + h * R
      let y = base + dot(W, wo, P, po, R)
      if (A > 0) {
        for (let t = 0; t < S; t++) {
          const vs = po + R + t * R, vg = po + R + S * R + t * R
          let m = 0
          for (let k = 0; k < A; k++) m += dot(W, K[row * A + k] * ww + h * R, P, vg, R)
          const sus = dot(W, wo, P, vs, R)
          if (z) { const zo = ((r * H + h) * S + t) * 2; z[zo] = m; z[zo + 1] = sus }
          y += sus * (m > 0 ? m : slope * m)
        }
      }
      out[r * stride + h - h0] = y
    }
  }
}

/**
 * Accumulates into `g` the gradients of a loss whose derivative w.r.t. out[r·heads + h] is
 * dy[r·heads + h], for the same rows and the `z` recorded by {@link predictRows}. One fused
 * pass over the rank per (row, head): this loop is the hottest JavaScript of training.
 */
export function backwardRows(e: Embeddings, d: HeadDims, obs: Observations, idx: ArrayLike<number>, dy: Float32Array, z: Float32Array, g: Embeddings): void {
  const { heads: H, rank: R, types: S, slope } = d
  const pw = platformWidth(d), ww = H * R, A = obs.arity
  const W = e.work, P = e.plat, GW = g.work, GP = g.plat, K = obs.corunners
  const act = new Float64Array(S), gm = new Float64Array(S), ko = new Int32Array(Math.max(A, 1))
  for (let r = 0; r < idx.length; r++) {
    const row = idx[r], i = obs.workload[row], j = obs.platform[row]
    const po = j * pw
    for (let h = 0; h < H; h++) {
      const gy = dy[r * H + h]
      if (gy === 0) continue
      g.bx[j] += gy; g.by[i] += gy
      const wo = i * ww + h * R
      if (A === 0) {
        for (let q = 0; q < R; q++) { GW[wo + q] += gy * P[po + q]; GP[po + q] += gy * W[wo + q] }
        continue
      }
      for (let t = 0; t < S; t++) {
        const zo = ((r * H + h) * S + t) * 2, m = z[zo]
        act[t] = m > 0 ? m : slope * m
        gm[t] = gy * z[zo + 1] * (m > 0 ? 1 : slope)
      }
      for (let k = 0; k < A; k++) ko[k] = K[row * A + k] * ww + h * R
      for (let q = 0; q < R; q++) {
        const wq = W[wo + q]
        let gw = P[po + q]
        GP[po + q] += gy * wq
        let wk = 0
        for (let k = 0; k < A; k++) wk += W[ko[k] + q]
        let gk = 0
        for (let t = 0; t < S; t++) {
          const vs = po + R + t * R + q, vg = po + R + S * R + t * R + q
          gw += act[t] * P[vs]
          GP[vs] += gy * act[t] * wq
          GP[vg] += gm[t] * wk
          gk += gm[t] * P[vg]
        }
        GW[wo + q] += gy * gw
        for (let k = 0; k < A; k++) GW[ko[k] + q] += gk
      }
    }
  }
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
