/**
 * Element-wise activations with their derivatives. Each one is a plain object, so the ONNX
 * exporter can read `kind` (and `slope`) and emit the matching operator.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'

export type ActivationKind = 'identity' | 'relu' | 'leakyRelu' | 'gelu' | 'silu' | 'tanh'

export interface Activation {
  readonly kind: ActivationKind
  /** Negative-side slope, leakyRelu only. */
  readonly slope?: number
  /** y[i] = f(x[i]) for i < n. */
  forward(x: Float32Array, y: Float32Array, n: number): void
  /** dx[i] = dy[i] · f'(x[i]) for i < n, given the input x and output y of forward. */
  backward(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void
}

/**
 * erf(x) after W. J. Cody's rational Chebyshev fits as used by Numerical Recipes' erfc
 * (fractional error < 1.2e-7): GELU must match ONNX's exact erf form within float32 rounding.
 */
export function erf(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))))
  return x >= 0 ? 1 - r : r - 1
}

const INV_SQRT2 = Math.SQRT1_2
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)

export const identity: Activation = {
  kind: 'identity',
  forward(x, y, n) { if (x !== y) y.set(x.subarray(0, n)) },
  backward(_x, _y, dy, dx, n) { if (dy !== dx) dx.set(dy.subarray(0, n)) },
}

export const relu: Activation = {
  kind: 'relu',
  forward(x, y, n) { for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0 },
  backward(x, _y, dy, dx, n) { for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0 },
}

/** Leaky ReLU: x for x > 0, slope·x otherwise (Pitot's platform tower uses slope 0.1). */
export function leakyRelu(slope = 0.01): Activation {
  if (!Number.isFinite(slope)) throw new InvalidInputError(`leakyRelu: slope must be finite, got ${slope}`)
  return {
    kind: 'leakyRelu',
    slope,
    forward(x, y, n) { for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i] },
    backward(x, _y, dy, dx, n) { for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : slope * dy[i] },
  }
}

/** GELU in its exact erf form, x·Φ(x) (ONNX Gelu, approximate="none"). */
export const gelu: Activation = {
  kind: 'gelu',
  forward(x, y, n) { for (let i = 0; i < n; i++) y[i] = 0.5 * x[i] * (1 + erf(x[i] * INV_SQRT2)) },
  backward(x, _y, dy, dx, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]
      dx[i] = dy[i] * (0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v))
    }
  },
}

/** SiLU (swish), x·σ(x). */
export const silu: Activation = {
  kind: 'silu',
  forward(x, y, n) { for (let i = 0; i < n; i++) y[i] = x[i] / (1 + Math.exp(-x[i])) },
  backward(x, _y, dy, dx, n) {
    for (let i = 0; i < n; i++) {
      const s = 1 / (1 + Math.exp(-x[i]))
      dx[i] = dy[i] * s * (1 + x[i] * (1 - s))
    }
  },
}

export const tanh: Activation = {
  kind: 'tanh',
  forward(x, y, n) { for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]) },
  backward(_x, y, dy, dx, n) { for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]) },
}

/** Looks an activation up by kind (for configs and saved models). */
export function activationByKind(kind: ActivationKind, slope?: number): Activation {
  switch (kind) {
    case 'identity': return identity
    case 'relu': return relu
    case 'leakyRelu': return leakyRelu(slope)
    case 'gelu': return gelu
    case 'silu': return silu
    case 'tanh': return tanh
    default: throw new InvalidInputError(`unknown activation '${String(kind)}'`)
  }
}
