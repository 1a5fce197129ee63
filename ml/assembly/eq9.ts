// Pitot's Eq. 9 over rows whose entity indices the host has already gathered (see ml/eq9.ts for
// the formula and layouts; ml/eq9-js.ts is the reference these must match). Per (row, head) the
// work is a handful of rank-long dot products and scatter-adds, so the SIMD runs along the rank
// (f32x4, scalar tail when rank % 4 ≠ 0). The host validates every index and length.

const F: usize = 4

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)
}

// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0)
  let q = 0
  for (; q + 4 <= n; q += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + <usize>q * F), v128.load(b + <usize>q * F)))
  let s = hsum(acc)
  for (; q < n; q++) s += load<f32>(a + <usize>q * F) * load<f32>(b + <usize>q * F)
  return s
}

// @ts-ignore: decorator
@inline function addScaled(dst: usize, src: usize, s: f32, n: i32): void {
  const vs = f32x4.splat(s)
  let q = 0
  for (; q + 4 <= n; q += 4) {
    const o = <usize>q * F
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(vs, v128.load(src + o))))
  }
  for (; q < n; q++) store<f32>(dst + <usize>q * F, load<f32>(dst + <usize>q * F) + s * load<f32>(src + <usize>q * F))
}

// out[r·(h1−h0) + h−h0] = ŷ of row r, head h; z (0 = none) gets (magnitude, susceptibility) per
// type at ((r·H + h)·S + t)·2.
export function eq9Forward(work: usize, plat: usize, bx: usize, by: usize, wl: usize, pl: usize, co: usize, n: i32,
  H: i32, R: i32, S: i32, A: i32, slope: f32, h0: i32, h1: i32, out: usize, z: usize): void {
  const rb = <usize>R * F, wrow = <usize>H * rb, prow = rb * <usize>(1 + 2 * S)
  const stride = h1 - h0
  for (let r = 0; r < n; r++) {
    const i = <usize>load<i32>(wl + <usize>r * 4), j = <usize>load<i32>(pl + <usize>r * 4)
    const po = plat + j * prow
    const base = load<f32>(bx + j * F) + load<f32>(by + i * F)
    const ko = co + <usize>r * <usize>A * 4
    for (let h = h0; h < h1; h++) {
      const wo = work + i * wrow + <usize>h * rb
      let y = base + dot(wo, po, R)
      for (let t = 0; t < S && A > 0; t++) {
        const vs = po + rb + <usize>t * rb, vg = po + rb + <usize>S * rb + <usize>t * rb
        let m: f32 = 0
        for (let k = 0; k < A; k++) m += dot(work + <usize>load<i32>(ko + <usize>k * 4) * wrow + <usize>h * rb, vg, R)
        const sus = dot(wo, vs, R)
        if (z) {
          const zo = z + ((<usize>r * H + h) * S + t) * 2 * F
          store<f32>(zo, m); store<f32>(zo + F, sus)
        }
        y += sus * (m > 0 ? m : slope * m)
      }
      store<f32>(out + (<usize>r * stride + h - h0) * F, y)
    }
  }
}

// Accumulates the gradient of Σ dy·ŷ into gw/gp/gbx/gby. scratch: 2·S floats (per-type
// activation and d/dmagnitude of the current row and head).
export function eq9Backward(work: usize, plat: usize, wl: usize, pl: usize, co: usize, n: i32,
  H: i32, R: i32, S: i32, A: i32, slope: f32, dy: usize, z: usize,
  gw: usize, gp: usize, gbx: usize, gby: usize, scratch: usize): void {
  const rb = <usize>R * F, wrow = <usize>H * rb, prow = rb * <usize>(1 + 2 * S)
  const vgOff = rb + <usize>S * rb
  const act = scratch, gm = scratch + <usize>S * F
  for (let r = 0; r < n; r++) {
    const i = <usize>load<i32>(wl + <usize>r * 4), j = <usize>load<i32>(pl + <usize>r * 4)
    const po = j * prow
    const ko = co + <usize>r * <usize>A * 4
    for (let h = 0; h < H; h++) {
      const gy = load<f32>(dy + (<usize>r * H + h) * F)
      if (gy == 0) continue
      store<f32>(gbx + j * F, load<f32>(gbx + j * F) + gy)
      store<f32>(gby + i * F, load<f32>(gby + i * F) + gy)
      const wo = i * wrow + <usize>h * rb
      if (A == 0) {
        addScaled(gw + wo, plat + po, gy, R)
        addScaled(gp + po, work + wo, gy, R)
        continue
      }
      for (let t = 0; t < S; t++) {
        const zo = z + ((<usize>r * H + h) * S + t) * 2 * F
        const m = load<f32>(zo)
        store<f32>(act + <usize>t * F, m > 0 ? m : slope * m)
        store<f32>(gm + <usize>t * F, gy * load<f32>(zo + F) * (m > 0 ? 1 : slope))
      }
      const hb = <usize>h * rb
      const vgy = f32x4.splat(gy)
      let q = 0
      for (; q + 4 <= R; q += 4) {
        const o = <usize>q * F
        const wq = v128.load(work + wo + o)
        let gwq = v128.load(plat + po + o)
        v128.store(gp + po + o, f32x4.add(v128.load(gp + po + o), f32x4.mul(vgy, wq)))
        let wk = f32x4.splat(0)
        for (let k = 0; k < A; k++) wk = f32x4.add(wk, v128.load(work + <usize>load<i32>(ko + <usize>k * 4) * wrow + hb + o))
        let gk = f32x4.splat(0)
        for (let t = 0; t < S; t++) {
          const a = v128.load32_splat(act + <usize>t * F), g = v128.load32_splat(gm + <usize>t * F)
          const vs = po + rb + <usize>t * rb + o, vg = po + vgOff + <usize>t * rb + o
          gwq = f32x4.add(gwq, f32x4.mul(a, v128.load(plat + vs)))
          v128.store(gp + vs, f32x4.add(v128.load(gp + vs), f32x4.mul(f32x4.mul(vgy, a), wq)))
          v128.store(gp + vg, f32x4.add(v128.load(gp + vg), f32x4.mul(g, wk)))
          gk = f32x4.add(gk, f32x4.mul(g, v128.load(plat + vg)))
        }
        v128.store(gw + wo + o, f32x4.add(v128.load(gw + wo + o), f32x4.mul(vgy, gwq)))
        for (let k = 0; k < A; k++) {
          const p = gw + <usize>load<i32>(ko + <usize>k * 4) * wrow + hb + o
          v128.store(p, f32x4.add(v128.load(p), gk))
        }
      }
      for (; q < R; q++) {
        const o = <usize>q * F
        const wq = load<f32>(work + wo + o)
        let gwq = load<f32>(plat + po + o)
        store<f32>(gp + po + o, load<f32>(gp + po + o) + gy * wq)
        let wk: f32 = 0
        for (let k = 0; k < A; k++) wk += load<f32>(work + <usize>load<i32>(ko + <usize>k * 4) * wrow + hb + o)
        let gk: f32 = 0
        for (let t = 0; t < S; t++) {
          const a = load<f32>(act + <usize>t * F), g = load<f32>(gm + <usize>t * F)
          const vs = po + rb + <usize>t * rb + o, vg = po + vgOff + <usize>t * rb + o
          gwq += a * load<f32>(plat + vs)
          store<f32>(gp + vs, load<f32>(gp + vs) + gy * a * wq)
          store<f32>(gp + vg, load<f32>(gp + vg) + g * wk)
          gk += g * load<f32>(plat + vg)
        }
        store<f32>(gw + wo + o, load<f32>(gw + wo + o) + gy * gwq)
        for (let k = 0; k < A; k++) {
          const p = gw + <usize>load<i32>(ko + <usize>k * 4) * wrow + hb + o
          store<f32>(p, load<f32>(p) + gk)
        }
      }
    }
  }
}
