/**
 * Trainable parameters: a named value tensor with a gradient of the same size, both allocated by
 * the current backend so the fast kernels can use them in place.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { kernels } from './kernels.js'
import type { Rng } from './rng.js'

export interface Param {
  /** Unique within a model, e.g. 'workload.1.weight'; the key in saved files. */
  readonly name: string
  readonly shape: readonly number[]
  readonly value: Float32Array
  /** Accumulated by backward passes; cleared by {@link zeroGrads}. */
  readonly grad: Float32Array
}

/** Weight initialisations: fan-in scaled normal (LeCun, Haiku's default), He, Glorot, or zeros. */
export type Init = 'lecun' | 'he' | 'xavier' | 'zeros'

/** A zero-initialised parameter of the given shape. */
export function createParam(name: string, shape: readonly number[]): Param {
  if (shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new InvalidInputError(`parameter ${name}: bad shape [${shape.join(', ')}]`)
  }
  const n = shape.reduce((a, b) => a * b, 1)
  return { name, shape: [...shape], value: kernels().alloc(n), grad: kernels().alloc(n) }
}

/** Fills a [fanIn, fanOut] weight according to `init`. */
export function initWeight(p: Param, init: Init, rng: Rng): void {
  const [fanIn, fanOut] = [p.shape[0], p.shape[p.shape.length - 1]]
  const std = init === 'he' ? Math.sqrt(2 / fanIn)
    : init === 'xavier' ? Math.sqrt(2 / (fanIn + fanOut))
      : init === 'lecun' ? Math.sqrt(1 / fanIn) : 0
  if (std === 0) p.value.fill(0)
  else rng.fillNormal(p.value, 0, std)
}

export function zeroGrads(params: readonly Param[]): void {
  for (const p of params) p.grad.fill(0)
}

export function countParams(params: readonly Param[]): number {
  return params.reduce((a, p) => a + p.value.length, 0)
}
