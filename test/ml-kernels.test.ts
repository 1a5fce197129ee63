// The WASM backend must agree with the JS reference on every kernel, for arena buffers and for
// foreign Float32Arrays (copied in and out), on shapes that exercise every tile remainder.
import t from 'tap'
import { createWasmKernels, jsKernels, Rng, type AdamStep } from '../ml/index.js'

const wasm = createWasmKernels({ arenaMiB: 16 })
const rng = new Rng(9)

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]))
  return d
}
function filled(n: number, inArena: boolean): Float32Array {
  const v = inArena ? wasm.alloc(n) : new Float32Array(n)
  return rng.fillNormal(v)
}

for (const [m, n, k] of [[1, 1, 1], [5, 3, 7], [9, 13, 6], [249, 128, 142], [4, 40, 33], [17, 8, 1]]) {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      t.test(`gemm ${m}x${n}x${k} transA=${transA} transB=${transB} (tol 1e-4·k)`, async (t) => {
        for (const inArena of [true, false]) {
          const a = filled(m * k, inArena), b = filled(k * n, inArena)
          const c0 = filled(m * n, inArena)
          const ref = Float32Array.from(c0)
          const out = inArena ? wasm.alloc(m * n) : new Float32Array(m * n)
          out.set(c0)
          jsKernels.gemm(a, b, ref, m, n, k, { transA, transB, accumulate: true })
          wasm.gemm(a, b, out, m, n, k, { transA, transB, accumulate: true })
          t.ok(maxDiff(ref, out) < 1e-4 * k, `accumulate, arena=${inArena}: ${maxDiff(ref, out)}`)
          jsKernels.gemm(a, b, ref, m, n, k, { transA, transB })
          wasm.gemm(a, b, out, m, n, k, { transA, transB })
          t.ok(maxDiff(ref, out) < 1e-4 * k, `overwrite, arena=${inArena}`)
        }
      })
    }
  }
}

t.test('addBias and sumRows match', async (t) => {
  for (const cols of [1, 4, 7, 160]) {
    const y = filled(3 * cols, true), bias = filled(cols, false)
    const ref = Float32Array.from(y)
    jsKernels.addBias(ref, bias, 3, cols); wasm.addBias(y, bias, 3, cols)
    t.ok(maxDiff(ref, y) < 1e-6)
    const o1 = filled(cols, false), o2 = Float32Array.from(o1)
    jsKernels.sumRows(y, 3, cols, o1); wasm.sumRows(y, 3, cols, o2)
    t.ok(maxDiff(o1, o2) < 1e-5)
  }
})

for (const kind of ['adam', 'adamax'] as const) {
  t.test(`${kind} step matches (tol 1e-6)`, async (t) => {
    const n = 103
    const [p, g, m, v] = [0, 1, 2, 3].map(() => filled(n, true))
    for (let i = 0; i < n; i++) v[i] = Math.abs(v[i])
    const [p2, g2, m2, v2] = [p, g, m, v].map((x) => Float32Array.from(x))
    const s: AdamStep = { kind, lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, bc1: 0.1, bc2: 0.001, l2: 0.01, decay: 0.001 }
    wasm.adamStep(p, g, m, v, s); jsKernels.adamStep(p2, g2, m2, v2, s)
    t.ok(maxDiff(p, p2) < 1e-6 && maxDiff(m, m2) < 1e-6 && maxDiff(v, v2) < 1e-6)
  })
}

t.test('bad input errors, not crashes', async (t) => {
  t.throws(() => wasm.gemm(new Float32Array(3), new Float32Array(4), new Float32Array(4), 2, 2, 2), { code: 'EM_INVALID_INPUT' })
  t.throws(() => createWasmKernels({ arenaMiB: 0 }), { code: 'EM_INVALID_INPUT' })
})

for (const kind of ['identity', 'relu', 'leakyRelu', 'gelu', 'silu', 'tanh'] as const) {
  t.test(`activation ${kind}: WASM equals JS (tol 2e-6·max(1,|v|))`, async (t) => {
    for (const n of [1, 3, 4, 7, 1000]) {
      const x = filled(n, n % 2 === 0)
      for (let i = 0; i < n; i++) x[i] *= 5 // reach the tails of exp and erf
      const [y1, y2] = [new Float32Array(n), wasm.alloc(n)]
      jsKernels.activate(kind, 0.1, x, y1, n); wasm.activate(kind, 0.1, x, y2, n)
      const close = (a: Float32Array, b: Float32Array) => a.every((v, i) => Math.abs(v - b[i]) <= 2e-6 * Math.max(1, Math.abs(v)))
      t.ok(close(y1, y2), `forward n=${n}: ${maxDiff(y1, y2)}`)
      const dy = filled(n, false)
      const [d1, d2] = [new Float32Array(n), new Float32Array(n)]
      jsKernels.activateBackward(kind, 0.1, x, y1, dy, d1, n); wasm.activateBackward(kind, 0.1, x, y1, dy, d2, n)
      t.ok(close(d1, d2), `backward n=${n}: ${maxDiff(d1, d2)}`)
    }
  })
}

t.test('alloc hands out zeroed memory after temporaries used it', async (t) => {
  const k = createWasmKernels({ arenaMiB: 1 })
  const foreign = new Float32Array(64).fill(7)
  k.addBias(foreign, new Float32Array(8).fill(1), 8, 8) // copies through the temporary region
  t.ok(k.alloc(256).every((v) => v === 0))
})

t.test('the default backend is WASM and useBackend switches it', async (t) => {
  const { kernels, useBackend } = await import('../ml/index.js')
  t.equal(kernels().name, process.env.EDGEMIME_ML_BACKEND === 'js' ? 'js' : 'wasm')
  t.equal(useBackend('js').name, 'js')
  t.equal(kernels().name, 'js')
  t.equal(useBackend('wasm').name, 'wasm')
})
