// SIMD (f32x4) kernels of the ml engine: dense matrix products, bias, column sums, transposes,
// activations, the Adam/Adamax update and Pitot's Eq. 9 rows (./eq9.ts). Pointers are byte
// offsets into this module's memory; the host (ml/kernels-wasm.ts) owns allocation and validates
// every argument, so nothing here checks bounds. No FMA: relaxed-simd is not in Node 20's V8.

const F: usize = 4

// gemm: C[m×n] (+)= A·B where A(i, p) sits at a + F·(i·rsA + p·csA) (so one kernel serves A and
// Aᵀ) and B is k×n row-major. Register tile 4 rows × 8 columns (8 accumulators); B's 8-column
// panel (k·32 bytes) stays in L1 while the tile walks down all rows: the cache blocking.
export function gemm(a: usize, rsA: i32, csA: i32, b: usize, c: usize, m: i32, n: i32, k: i32, acc: i32): void {
  const ra = <usize>rsA * F
  const ca = <usize>csA * F
  const ldb = <usize>n * F
  let j = 0
  for (; j + 8 <= n; j += 8) {
    let i = 0
    for (; i + 4 <= m; i += 4) tile4x8(a + <usize>i * ra, ra, ca, b + <usize>j * F, ldb, c + (<usize>i * n + j) * F, ldb, k, acc)
    for (; i < m; i++) tile1x8(a + <usize>i * ra, ca, b + <usize>j * F, ldb, c + (<usize>i * n + j) * F, k, acc)
  }
  for (; j + 4 <= n; j += 4) {
    for (let i = 0; i < m; i++) tile1x4(a + <usize>i * ra, ca, b + <usize>j * F, ldb, c + (<usize>i * n + j) * F, k, acc)
  }
  for (; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s: f32 = 0
      let pa = a + <usize>i * ra
      let pb = b + <usize>j * F
      for (let p = 0; p < k; p++) { s += load<f32>(pa) * load<f32>(pb); pa += ca; pb += ldb }
      const pc = c + (<usize>i * n + j) * F
      store<f32>(pc, acc ? load<f32>(pc) + s : s)
    }
  }
}

// @ts-ignore: decorator
@inline function tile4x8(pa: usize, ra: usize, ca: usize, pb: usize, ldb: usize, pc: usize, ldc: usize, k: i32, acc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0)
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0)
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16)
    const a0 = v128.load32_splat(pa)
    const a1 = v128.load32_splat(pa + ra)
    const a2 = v128.load32_splat(pa + 2 * ra)
    const a3 = v128.load32_splat(pa + 3 * ra)
    c00 = f32x4.add(c00, f32x4.mul(a0, b0)); c01 = f32x4.add(c01, f32x4.mul(a0, b1))
    c10 = f32x4.add(c10, f32x4.mul(a1, b0)); c11 = f32x4.add(c11, f32x4.mul(a1, b1))
    c20 = f32x4.add(c20, f32x4.mul(a2, b0)); c21 = f32x4.add(c21, f32x4.mul(a2, b1))
    c30 = f32x4.add(c30, f32x4.mul(a3, b0)); c31 = f32x4.add(c31, f32x4.mul(a3, b1))
    pa += ca; pb += ldb
  }
  put(pc, c00, acc); put(pc + 16, c01, acc); pc += ldc
  put(pc, c10, acc); put(pc + 16, c11, acc); pc += ldc
  put(pc, c20, acc); put(pc + 16, c21, acc); pc += ldc
  put(pc, c30, acc); put(pc + 16, c31, acc)
}

// @ts-ignore: decorator
@inline function tile1x8(pa: usize, ca: usize, pb: usize, ldb: usize, pc: usize, k: i32, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0)
  for (let p = 0; p < k; p++) {
    const av = v128.load32_splat(pa)
    c0 = f32x4.add(c0, f32x4.mul(av, v128.load(pb))); c1 = f32x4.add(c1, f32x4.mul(av, v128.load(pb, 16)))
    pa += ca; pb += ldb
  }
  put(pc, c0, acc); put(pc + 16, c1, acc)
}

// @ts-ignore: decorator
@inline function tile1x4(pa: usize, ca: usize, pb: usize, ldb: usize, pc: usize, k: i32, acc: i32): void {
  let c0 = f32x4.splat(0)
  for (let p = 0; p < k; p++) {
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(pa), v128.load(pb)))
    pa += ca; pb += ldb
  }
  put(pc, c0, acc)
}

// @ts-ignore: decorator
@inline function put(pc: usize, v: v128, acc: i32): void {
  v128.store(pc, acc ? f32x4.add(v128.load(pc), v) : v)
}

// dst[cols×rows] = srcᵀ, src rows×cols; 8×8 blocks keep both sides in cache.
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let r0 = 0; r0 < rows; r0 += 8) {
    const r1 = min(r0 + 8, rows)
    for (let c0 = 0; c0 < cols; c0 += 8) {
      const c1 = min(c0 + 8, cols)
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) store<f32>(dst + (<usize>c * rows + r) * F, load<f32>(src + (<usize>r * cols + c) * F))
      }
    }
  }
}

// y[r, j] += bias[j]
export function addBias(y: usize, bias: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) addInto(y + <usize>r * cols * F, bias, cols)
}

// out[j] += Σ_r x[r, j]
export function sumRows(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) addInto(out, x + <usize>r * cols * F, cols)
}

// @ts-ignore: decorator
@inline function addInto(dst: usize, src: usize, n: i32): void {
  let j = 0
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j * F
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)))
  }
  for (; j < n; j++) store<f32>(dst + <usize>j * F, load<f32>(dst + <usize>j * F) + load<f32>(src + <usize>j * F))
}

// One Adam (kind 0) or Adamax (kind 1) step over len elements, in place; see ml/optim.ts.
export function adamStep(p: usize, g: usize, m: usize, v: usize, len: i32, kind: i32,
  lr: f32, b1: f32, b2: f32, eps: f32, bc1: f32, bc2: f32, l2: f32, decay: f32): void {
  const vb1 = f32x4.splat(b1), vb1c = f32x4.splat(1 - b1), vb2 = f32x4.splat(b2), vb2c = f32x4.splat(1 - b2)
  const vl2 = f32x4.splat(l2), vdec = f32x4.splat(decay), vlr = f32x4.splat(lr), veps = f32x4.splat(eps)
  const vibc1 = f32x4.splat(1 / bc1), vibc2 = f32x4.splat(1 / bc2)
  let i = 0
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i * F
    const pv = v128.load(p + o)
    const gv = f32x4.add(v128.load(g + o), f32x4.mul(vl2, pv))
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, gv))
    v128.store(m + o, mv)
    let den: v128
    if (kind == 0) {
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vb2c, f32x4.mul(gv, gv)))
      v128.store(v + o, vv)
      den = f32x4.add(f32x4.sqrt(f32x4.mul(vv, vibc2)), veps)
    } else {
      const vv = f32x4.max(f32x4.mul(vb2, v128.load(v + o)), f32x4.abs(gv))
      v128.store(v + o, vv)
      den = f32x4.add(vv, veps)
    }
    const upd = f32x4.add(f32x4.div(f32x4.mul(mv, vibc1), den), f32x4.mul(vdec, pv))
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, upd)))
  }
  for (; i < len; i++) {
    const o = <usize>i * F
    const pv = load<f32>(p + o)
    const gv = load<f32>(g + o) + l2 * pv
    const mv = b1 * load<f32>(m + o) + (1 - b1) * gv
    store<f32>(m + o, mv)
    let den: f32
    if (kind == 0) {
      const vv = b2 * load<f32>(v + o) + (1 - b2) * gv * gv
      store<f32>(v + o, vv)
      den = Mathf.sqrt(vv / bc2) + eps
    } else {
      const vv = max(b2 * load<f32>(v + o), Mathf.abs(gv))
      store<f32>(v + o, vv)
      den = vv + eps
    }
    store<f32>(p + o, pv - lr * (mv / bc1 / den + decay * pv))
  }
}

export { actForward, actBackward } from './activations'
export { eq9Forward, eq9Backward } from './eq9'
