/**
 * A dense layer y = x·W + b over a batch of rows, with the backward pass that accumulates
 * dW = xᵀ·dy and db = Σ dy and returns dx = dy·Wᵀ.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { checkLength } from './check.js'
import { kernels } from './kernels.js'
import { createParam, initWeight, type Init, type Param } from './params.js'
import { Rng } from './rng.js'

export interface LinearOptions {
  /** Prefix of the parameter names ('<name>.weight', '<name>.bias'). */
  name?: string
  rng?: Rng
  init?: Init
  bias?: boolean
}

/** Backward options shared by layers. */
export interface BackwardOptions {
  /** Compute and return the input gradient (skip it for a first layer over fixed features). */
  inputGrad?: boolean
  /**
   * First input column whose gradient is wanted (default 0): dx is then rows×(inDim − from). For
   * inputs whose leading columns are fixed features, this skips most of the dx product.
   */
  inputGradFrom?: number
}

/** Returns `buf` if it holds n floats, else a fresh backend buffer (callers keep the result). */
export function ensure(buf: Float32Array | undefined, n: number): Float32Array {
  return buf && buf.length >= n ? buf : kernels().alloc(Math.max(n, 1))
}

export class Linear {
  readonly weight: Param
  readonly bias: Param | undefined
  #x: Float32Array | undefined
  #rows = 0
  #y: Float32Array | undefined
  #dx: Float32Array | undefined

  /** Weight is stored [inDim, outDim] row-major, matching ONNX MatMul(x, W). */
  constructor(readonly inDim: number, readonly outDim: number,
    { name = 'linear', rng = new Rng(0), init = 'lecun', bias = true }: LinearOptions = {}) {
    this.weight = createParam(`${name}.weight`, [inDim, outDim])
    initWeight(this.weight, init, rng)
    this.bias = bias ? createParam(`${name}.bias`, [outDim]) : undefined
  }

  params(): Param[] { return this.bias ? [this.weight, this.bias] : [this.weight] }

  /**
   * y[rows×outDim] = x[rows×inDim]·W + b. The result is a view of a buffer reused by the next
   * call, and `x` is kept (not copied) for backward: do not overwrite it in between.
   */
  forward(x: Float32Array, rows: number): Float32Array {
    if (!Number.isInteger(rows) || rows < 1) throw new InvalidInputError(`Linear.forward: rows must be a positive integer, got ${rows}`)
    checkLength('Linear.forward input', x, rows * this.inDim)
    const k = kernels()
    const n = rows * this.outDim
    this.#y = ensure(this.#y, n)
    const y = this.#y.subarray(0, n)
    k.gemm(x, this.weight.value, y, rows, this.outDim, this.inDim)
    if (this.bias) k.addBias(y, this.bias.value, rows, this.outDim)
    this.#x = x
    this.#rows = rows
    return y
  }

  /** Accumulates parameter gradients from dOut[rows×outDim]; returns dx (a reused view) unless disabled. */
  backward(dOut: Float32Array, { inputGrad = true, inputGradFrom = 0 }: BackwardOptions = {}): Float32Array | undefined {
    if (!Number.isInteger(inputGradFrom) || inputGradFrom < 0 || inputGradFrom >= this.inDim) {
      throw new InvalidInputError(`Linear.backward: inputGradFrom must be an integer in [0, ${this.inDim}), got ${inputGradFrom}`)
    }
    const x = this.#x
    if (!x) throw new InvalidInputError('Linear.backward called before forward')
    const rows = this.#rows
    checkLength('Linear.backward dOut', dOut, rows * this.outDim)
    const k = kernels()
    k.gemm(x, dOut, this.weight.grad, this.inDim, this.outDim, rows, { transA: true, accumulate: true })
    if (this.bias) k.sumRows(dOut, rows, this.outDim, this.bias.grad)
    if (!inputGrad) return undefined
    const cols = this.inDim - inputGradFrom
    const n = rows * cols
    this.#dx = ensure(this.#dx, n)
    const dx = this.#dx.subarray(0, n)
    // Rows from.. of W (stored [in, out]) are contiguous: dx = dOut · W[from:, :]ᵀ.
    k.gemm(dOut, this.weight.value.subarray(inputGradFrom * this.outDim), dx, rows, cols, this.outDim, { transB: true })
    return dx
  }
}
