/**
 * Element-wise activations with their derivatives. Each one is a plain descriptor (`kind`, and
 * `slope` for leakyRelu) whose forward/backward run in the current backend, so the ONNX
 * exporter can read the kind and emit the matching operator.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { kernels } from './kernels.js'

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

function make(kind: ActivationKind, slope = 0): Activation {
  return {
    kind,
    ...(kind === 'leakyRelu' ? { slope } : {}),
    forward(x, y, n) { kernels().activate(kind, slope, x, y, n) },
    backward(x, y, dy, dx, n) { kernels().activateBackward(kind, slope, x, y, dy, dx, n) },
  }
}

export const identity = make('identity')
export const relu = make('relu')
/** GELU in its exact erf form, x·Φ(x) (ONNX Gelu, approximate="none"). */
export const gelu = make('gelu')
/** SiLU (swish), x·σ(x). */
export const silu = make('silu')
export const tanh = make('tanh')

/** Leaky ReLU: x for x > 0, slope·x otherwise (Pitot's platform tower uses slope 0.1). */
export function leakyRelu(slope = 0.01): Activation {
  if (!Number.isFinite(slope)) throw new InvalidInputError(`leakyRelu: slope must be finite, got ${slope}`)
  return make('leakyRelu', slope)
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
