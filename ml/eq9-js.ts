/**
 * Plain-JavaScript Eq. 9 rows (formula and layouts in ./eq9.ts): the reference the WASM kernel
 * (ml/assembly/eq9.ts) is tested against, and the path of the `js` backend. Dot products
 * accumulate in float64.
 * @module
 */
import { checkEq9, checkEq9Backward, checkEq9Forward, eq9PlatformWidth, type Eq9Dims, type Eq9Rows, type Eq9Tables } from './eq9.js'

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0
  for (let q = 0; q < n; q++) s += a[ao + q] * b[bo + q]
  return s
}

export function eq9ForwardJs(e: Eq9Tables, d: Eq9Dims, rows: Eq9Rows, out: Float32Array | Float64Array, z?: Float32Array, h0 = 0, h1 = d.heads): void {
  const n = checkEq9(e, d, rows)
  checkEq9Forward(d, n, out, z, h0, h1)
  const { heads: H, rank: R, types: S, slope } = d
  const pw = eq9PlatformWidth(d), ww = H * R, A = rows.arity
  const W = e.work, P = e.plat, K = rows.corunners, stride = h1 - h0
  for (let r = 0; r < n; r++) {
    const i = rows.workload[r], j = rows.platform[r]
    const po = j * pw, base = e.bx[j] + e.by[i]
    for (let h = h0; h < h1; h++) {
      const wo = i * ww + h * R
      let y = base + dot(W, wo, P, po, R)
      if (A > 0) {
        for (let t = 0; t < S; t++) {
          const vs = po + R + t * R, vg = po + R + S * R + t * R
          let m = 0
          for (let k = 0; k < A; k++) m += dot(W, K[r * A + k] * ww + h * R, P, vg, R)
          const sus = dot(W, wo, P, vs, R)
          if (z) { const zo = ((r * H + h) * S + t) * 2; z[zo] = m; z[zo + 1] = sus }
          y += sus * (m > 0 ? m : slope * m)
        }
      }
      out[r * stride + h - h0] = y
    }
  }
}

/** One fused pass over the rank per (row, head). */
export function eq9BackwardJs(e: Eq9Tables, d: Eq9Dims, rows: Eq9Rows, dy: Float32Array, z: Float32Array, g: Eq9Tables): void {
  const n = checkEq9(e, d, rows)
  checkEq9Backward(e, d, n, dy, z, g)
  const { heads: H, rank: R, types: S, slope } = d
  const pw = eq9PlatformWidth(d), ww = H * R, A = rows.arity
  const W = e.work, P = e.plat, GW = g.work, GP = g.plat, K = rows.corunners
  const act = new Float64Array(S), gm = new Float64Array(S), ko = new Int32Array(Math.max(A, 1))
  for (let r = 0; r < n; r++) {
    const i = rows.workload[r], j = rows.platform[r]
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
      for (let k = 0; k < A; k++) ko[k] = K[r * A + k] * ww + h * R
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
