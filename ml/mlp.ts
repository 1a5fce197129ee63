/**
 * A multi-layer perceptron: Linear layers with one activation between them (and optionally
 * after the last), forward over a batch of rows and backward with gradient accumulation.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { identity, type Activation } from './activations.js'
import { ensure, Linear, type BackwardOptions } from './linear.js'
import type { Init, Param } from './params.js'
import { Rng } from './rng.js'

export interface MlpOptions {
  /** Parameter name prefix: layers are '<name>.<i>'. */
  name?: string
  /** Between hidden layers (default identity, i.e. none). */
  activation?: Activation
  /** After the last layer (default identity). */
  outputActivation?: Activation
  rng?: Rng
  init?: Init
  bias?: boolean
}

export class Mlp {
  readonly layers: Linear[]
  readonly activations: Activation[]
  #pre: Float32Array[] = []
  #post: Float32Array[] = []
  #grad: Float32Array[] = []
  // Full-capacity buffers behind the #post/#grad views: keeping only the views would shrink the
  // capacity to the last batch, and alternating small and large batches would allocate anew each time.
  #postBuf: Float32Array[] = []
  #gradBuf: Float32Array[] = []
  #rows = 0

  /**
   * @param sizes layer widths including input and output, e.g. [142, 128, 128, 256]
   * @example
   * const tower = new Mlp([142, 128, 128, 256], { name: 'workload', activation: gelu, rng: new Rng(1) })
   * const emb = tower.forward(features, 249)   // 249×256
   */
  constructor(readonly sizes: readonly number[],
    { name = 'mlp', activation = identity, outputActivation = identity, rng = new Rng(0), init, bias }: MlpOptions = {}) {
    if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new InvalidInputError(`Mlp: sizes must be >= 2 positive integers, got [${sizes.join(', ')}]`)
    }
    this.layers = sizes.slice(1).map((out, i) => new Linear(sizes[i], out, { name: `${name}.${i}`, rng, init, bias }))
    this.activations = this.layers.map((_, i) => (i === this.layers.length - 1 ? outputActivation : activation))
  }

  get inDim(): number { return this.sizes[0] }
  get outDim(): number { return this.sizes[this.sizes.length - 1] }

  params(): Param[] { return this.layers.flatMap((l) => l.params()) }

  /** out[rows×outDim]; a view reused by the next call. Keeps `x` for backward (do not overwrite). */
  forward(x: Float32Array, rows: number): Float32Array {
    let h = x
    this.layers.forEach((layer, i) => {
      const z = layer.forward(h, rows)
      const act = this.activations[i]
      if (act === identity) { h = z; this.#pre[i] = z; this.#post[i] = z; return }
      this.#pre[i] = z
      this.#postBuf[i] = ensure(this.#postBuf[i], z.length)
      this.#post[i] = this.#postBuf[i].subarray(0, z.length)
      act.forward(z, this.#post[i], z.length)
      h = this.#post[i]
    })
    this.#rows = rows
    return h
  }

  /** Accumulates every layer's parameter gradients from dOut[rows×outDim]; returns dx (rows×(inDim − inputGradFrom)) unless disabled. */
  backward(dOut: Float32Array, opts: BackwardOptions = {}): Float32Array | undefined {
    if (this.#rows === 0) throw new InvalidInputError('Mlp.backward called before forward')
    let g: Float32Array | undefined = dOut
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const act = this.activations[i]
      const z = this.#pre[i]
      if (act !== identity) {
        this.#gradBuf[i] = ensure(this.#gradBuf[i], z.length)
        this.#grad[i] = this.#gradBuf[i].subarray(0, z.length)
        act.backward(z, this.#post[i], g!, this.#grad[i], z.length)
        g = this.#grad[i]
      }
      g = this.layers[i].backward(g!, i > 0 ? {} : opts)
    }
    return g
  }
}
