// SIMD activations and their derivatives (imported by kernels.entry.ts). exp is Cephes' expf
// (range reduction by ln 2, degree-6 polynomial, ~1 ulp); erf is the Numerical Recipes erfc
// fit (|error| < 1.2e-7), matching the host's erf so both backends agree.

export const ACT_IDENTITY = 0
export const ACT_RELU = 1
export const ACT_LEAKY = 2
export const ACT_GELU = 3
export const ACT_SILU = 4
export const ACT_TANH = 5

const F: usize = 4
const TAIL = memory.data(16) // staging for the last n % 4 elements

// @ts-ignore: decorator
@inline function c(v: f32): v128 { return f32x4.splat(v) }

// @ts-ignore: decorator
@inline function vexp(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, c(-87.3)), c(88.7))
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, c(1.44269504088896341)), c(0.5)))
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(fx, c(0.693359375))), f32x4.mul(fx, c(-2.12194440e-4)))
  let y = c(1.9875691500e-4)
  y = f32x4.add(f32x4.mul(y, r), c(1.3981999507e-3))
  y = f32x4.add(f32x4.mul(y, r), c(8.3334519073e-3))
  y = f32x4.add(f32x4.mul(y, r), c(4.1665795894e-2))
  y = f32x4.add(f32x4.mul(y, r), c(1.6666665459e-1))
  y = f32x4.add(f32x4.mul(y, r), c(5.0000001201e-1))
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), c(1))
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23)
  return f32x4.mul(y, pow2n)
}

// @ts-ignore: decorator
@inline function verf(x: v128): v128 {
  const z = f32x4.abs(x)
  const t = f32x4.div(c(1), f32x4.add(c(1), f32x4.mul(c(0.5), z)))
  let p = c(0.17087277)
  p = f32x4.add(f32x4.mul(p, t), c(-0.82215223))
  p = f32x4.add(f32x4.mul(p, t), c(1.48851587))
  p = f32x4.add(f32x4.mul(p, t), c(-1.13520398))
  p = f32x4.add(f32x4.mul(p, t), c(0.27886807))
  p = f32x4.add(f32x4.mul(p, t), c(-0.18628806))
  p = f32x4.add(f32x4.mul(p, t), c(0.09678418))
  p = f32x4.add(f32x4.mul(p, t), c(0.37409196))
  p = f32x4.add(f32x4.mul(p, t), c(1.00002368))
  p = f32x4.add(f32x4.mul(p, t), c(-1.26551223))
  const r = f32x4.mul(t, vexp(f32x4.sub(p, f32x4.mul(z, z))))
  // erf is odd: 1 - r carries the sign of x.
  return v128.or(f32x4.sub(c(1), r), v128.and(x, i32x4.splat(0x80000000)))
}

// @ts-ignore: decorator
@inline function sigmoid(x: v128): v128 { return f32x4.div(c(1), f32x4.add(c(1), vexp(f32x4.neg(x)))) }

// @ts-ignore: decorator
@inline function fwd(kind: i32, slope: f32, x: v128): v128 {
  if (kind == ACT_RELU) return f32x4.max(x, c(0))
  if (kind == ACT_LEAKY) return v128.bitselect(x, f32x4.mul(x, c(slope)), f32x4.gt(x, c(0)))
  if (kind == ACT_GELU) return f32x4.mul(f32x4.mul(c(0.5), x), f32x4.add(c(1), verf(f32x4.mul(x, c(0.70710678118654752)))))
  if (kind == ACT_SILU) return f32x4.mul(x, sigmoid(x))
  if (kind == ACT_TANH) return f32x4.sub(f32x4.mul(c(2), sigmoid(f32x4.mul(c(2), x))), c(1))
  return x
}

// dy · f'(x), given input x and output y
// @ts-ignore: decorator
@inline function bwd(kind: i32, slope: f32, x: v128, y: v128, dy: v128): v128 {
  if (kind == ACT_RELU) return v128.and(dy, f32x4.gt(x, c(0)))
  if (kind == ACT_LEAKY) return v128.bitselect(dy, f32x4.mul(dy, c(slope)), f32x4.gt(x, c(0)))
  if (kind == ACT_GELU) {
    const cdf = f32x4.mul(c(0.5), f32x4.add(c(1), verf(f32x4.mul(x, c(0.70710678118654752)))))
    const pdf = f32x4.mul(c(0.39894228040143268), vexp(f32x4.mul(c(-0.5), f32x4.mul(x, x))))
    return f32x4.mul(dy, f32x4.add(cdf, f32x4.mul(x, pdf)))
  }
  if (kind == ACT_SILU) {
    const s = sigmoid(x)
    return f32x4.mul(dy, f32x4.mul(s, f32x4.add(c(1), f32x4.mul(x, f32x4.sub(c(1), s)))))
  }
  if (kind == ACT_TANH) return f32x4.mul(dy, f32x4.sub(c(1), f32x4.mul(y, y)))
  return dy
}

// The tail (n % 4 elements) is staged through TAIL so the SIMD code path serves every element.
// @ts-ignore: decorator
@inline function stage(src: usize, count: i32): v128 {
  v128.store(TAIL, c(0))
  memory.copy(TAIL, src, <usize>count * F)
  return v128.load(TAIL)
}

// One loop per kind, with the kind a compile-time constant inside it, so each loop body is
// straight-line SIMD (a per-vector dispatch cost ~10x).
export function actForward(kind: i32, slope: f32, x: usize, y: usize, n: i32): void {
  const m = n & ~3
  if (kind == ACT_RELU) fwdLoop(ACT_RELU, slope, x, y, m)
  else if (kind == ACT_LEAKY) fwdLoop(ACT_LEAKY, slope, x, y, m)
  else if (kind == ACT_GELU) fwdLoop(ACT_GELU, slope, x, y, m)
  else if (kind == ACT_SILU) fwdLoop(ACT_SILU, slope, x, y, m)
  else if (kind == ACT_TANH) fwdLoop(ACT_TANH, slope, x, y, m)
  else fwdLoop(ACT_IDENTITY, slope, x, y, m)
  const i = m
  if (i < n) {
    const o = <usize>i * F
    v128.store(TAIL, fwd(kind, slope, stage(x + o, n - i)))
    memory.copy(y + o, TAIL, <usize>(n - i) * F)
  }
}

export function actBackward(kind: i32, slope: f32, x: usize, y: usize, dy: usize, dx: usize, n: i32): void {
  const m = n & ~3
  if (kind == ACT_RELU) bwdLoop(ACT_RELU, slope, x, y, dy, dx, m)
  else if (kind == ACT_LEAKY) bwdLoop(ACT_LEAKY, slope, x, y, dy, dx, m)
  else if (kind == ACT_GELU) bwdLoop(ACT_GELU, slope, x, y, dy, dx, m)
  else if (kind == ACT_SILU) bwdLoop(ACT_SILU, slope, x, y, dy, dx, m)
  else if (kind == ACT_TANH) bwdLoop(ACT_TANH, slope, x, y, dy, dx, m)
  else bwdLoop(ACT_IDENTITY, slope, x, y, dy, dx, m)
  const i = m
  if (i < n) {
    const o = <usize>i * F
    const xv = stage(x + o, n - i)
    const yv = stage(y + o, n - i)
    const dyv = stage(dy + o, n - i)
    v128.store(TAIL, bwd(kind, slope, xv, yv, dyv))
    memory.copy(dx + o, TAIL, <usize>(n - i) * F)
  }
}

// @ts-ignore: decorator
@inline function fwdLoop(kind: i32, slope: f32, x: usize, y: usize, m: i32): void {
  for (let i = 0; i < m; i += 4) { const o = <usize>i * F; v128.store(y + o, fwd(kind, slope, v128.load(x + o))) }
}

// @ts-ignore: decorator
@inline function bwdLoop(kind: i32, slope: f32, x: usize, y: usize, dy: usize, dx: usize, m: i32): void {
  for (let i = 0; i < m; i += 4) {
    const o = <usize>i * F
    v128.store(dx + o, bwd(kind, slope, v128.load(x + o), v128.load(y + o), v128.load(dy + o)))
  }
}
