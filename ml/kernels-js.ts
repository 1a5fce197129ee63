/**
 * Plain-JavaScript kernels: the reference every faster backend is tested and benchmarked against.
 * Loop orders keep the innermost loop on contiguous memory.
 * @module
 */
import { activateBackwardJs, activateJs } from './activations-js.js'
import { eq9BackwardJs, eq9ForwardJs } from './eq9-js.js'
import type { AdamStep, GemmOptions, Kernels } from './kernels.js'

function gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number,
  { transA = false, transB = false, accumulate = false }: GemmOptions = {}): void {
  if (!accumulate) c.fill(0, 0, m * n)
  if (!transB) {
    for (let i = 0; i < m; i++) {
      const ci = i * n
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p]
        if (av === 0) continue
        const bp = p * n
        for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j]
      }
    }
    return
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      const bj = j * k
      if (transA) for (let p = 0; p < k; p++) s += a[p * m + i] * b[bj + p]
      else for (let p = 0, ai = i * k; p < k; p++) s += a[ai + p] * b[bj + p]
      c[i * n + j] += s
    }
  }
}

function addBias(y: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let j = 0, o = r * cols; j < cols; j++) y[o + j] += bias[j]
}

function sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let j = 0, o = r * cols; j < cols; j++) out[j] += x[o + j]
}

function adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamStep): void {
  const { lr, beta1, beta2, eps, bc1, bc2, l2, decay } = s
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + l2 * p[i]
    const mi = (m[i] = beta1 * m[i] + (1 - beta1) * gi)
    let upd: number
    if (s.kind === 'adam') {
      const vi = (v[i] = beta2 * v[i] + (1 - beta2) * gi * gi)
      upd = mi / bc1 / (Math.sqrt(vi / bc2) + eps)
    } else {
      const vi = (v[i] = Math.max(beta2 * v[i], Math.abs(gi)))
      upd = mi / bc1 / (vi + eps)
    }
    p[i] -= lr * (upd + decay * p[i])
  }
}

export const jsKernels: Kernels = {
  name: 'js',
  alloc: (n) => new Float32Array(n),
  gemm,
  addBias,
  sumRows,
  adamStep,
  activate: activateJs,
  activateBackward: activateBackwardJs,
  eq9Forward: eq9ForwardJs,
  eq9Backward: eq9BackwardJs,
}
