/**
 * Adam-family optimizers over a list of parameters: Adam (optionally with coupled L2), AdamW
 * (decoupled decay) and Adamax (infinity-norm second moment; Pitot's optimizer, with decoupled
 * decay). The element-wise update runs in the current backend's kernel.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { kernels, type AdamStep } from './kernels.js'
import type { Param } from './params.js'

export interface OptimizerOptions {
  lr?: number
  beta1?: number
  beta2?: number
  eps?: number
  /** Adam: coupled L2 coefficient; AdamW and Adamax: decoupled decay (scaled by lr). */
  weightDecay?: number
}

export interface Optimizer {
  /** Learning rate; may be changed between steps (schedules). */
  lr: number
  /** Number of steps taken. */
  readonly t: number
  /** Applies one update from the accumulated gradients (it does not clear them). */
  step(): void
  /** Clears every parameter's gradient. */
  zeroGrad(): void
}

class AdamFamily implements Optimizer {
  lr: number
  t = 0
  readonly #m: Float32Array[]
  readonly #v: Float32Array[]
  readonly #cfg: Omit<AdamStep, 'lr' | 'bc1' | 'bc2'>

  constructor(readonly params: readonly Param[], kind: AdamStep['kind'], decoupled: boolean,
    { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 }: OptimizerOptions) {
    for (const [k, v] of Object.entries({ lr, beta1, beta2, eps, weightDecay })) {
      if (!Number.isFinite(v) || v < 0) throw new InvalidInputError(`optimizer: ${k} must be a finite number >= 0, got ${v}`)
    }
    if (beta1 >= 1 || beta2 >= 1) throw new InvalidInputError('optimizer: betas must be < 1')
    this.lr = lr
    this.#m = params.map((p) => kernels().alloc(p.value.length))
    this.#v = params.map((p) => kernels().alloc(p.value.length))
    this.#cfg = { kind, beta1, beta2, eps, l2: decoupled ? 0 : weightDecay, decay: decoupled ? weightDecay : 0 }
  }

  step(): void {
    this.t++
    const s: AdamStep = {
      ...this.#cfg, lr: this.lr,
      bc1: 1 - this.#cfg.beta1 ** this.t, bc2: 1 - this.#cfg.beta2 ** this.t,
    }
    const k = kernels()
    this.params.forEach((p, i) => k.adamStep(p.value, p.grad, this.#m[i], this.#v[i], s))
  }

  zeroGrad(): void { for (const p of this.params) p.grad.fill(0) }
}

/** Adam (Kingma & Ba); `weightDecay` is an L2 term added to the gradient. */
export class Adam extends AdamFamily {
  constructor(params: readonly Param[], opts: OptimizerOptions = {}) { super(params, 'adam', false, opts) }
}

/** AdamW (Loshchilov & Hutter): decay applied to the weights directly, lr·weightDecay·p. */
export class AdamW extends AdamFamily {
  constructor(params: readonly Param[], opts: OptimizerOptions = {}) { super(params, 'adam', true, opts) }
}

/** Adamax (Kingma & Ba, sec. 7.1) with decoupled weight decay, as in the Pitot reference. */
export class Adamax extends AdamFamily {
  constructor(params: readonly Param[], opts: OptimizerOptions = {}) { super(params, 'adamax', true, opts) }
}
