/**
 * Plain-JavaScript activations and derivatives: the reference for the WASM kernels.
 * @module
 */
import type { ActivationKind } from './activations.js'
import { erf } from './erf.js'

const INV_SQRT2 = Math.SQRT1_2
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)

export function activateJs(kind: ActivationKind, slope: number, x: Float32Array, y: Float32Array, n: number): void {
  switch (kind) {
    case 'identity': if (x !== y) y.set(x.subarray(0, n)); return
    case 'relu': for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0; return
    case 'leakyRelu': for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i]; return
    case 'gelu': for (let i = 0; i < n; i++) y[i] = 0.5 * x[i] * (1 + erf(x[i] * INV_SQRT2)); return
    case 'silu': for (let i = 0; i < n; i++) y[i] = x[i] / (1 + Math.exp(-x[i])); return
    case 'tanh': for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i])
  }
}

export function activateBackwardJs(kind: ActivationKind, slope: number, x: Float32Array, y: Float32Array,
  dy: Float32Array, dx: Float32Array, n: number): void {
  switch (kind) {
    case 'identity': if (dy !== dx) dx.set(dy.subarray(0, n)); return
    case 'relu': for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0; return
    case 'leakyRelu': for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : slope * dy[i]; return
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i]
        dx[i] = dy[i] * (0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v))
      }
      return
    case 'silu':
      for (let i = 0; i < n; i++) {
        const s = 1 / (1 + Math.exp(-x[i]))
        dx[i] = dy[i] * s * (1 + x[i] * (1 - s))
      }
      return
    case 'tanh': for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i])
  }
}
