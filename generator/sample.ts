/**
 * Sampling one composition window from the diffusion model: 25 ancestral DDPM steps with
 * classifier-free guidance (conditional and null context evaluated as one batch of two rows),
 * x0 clipped, the result mapped from [−1, 1] to fractions and projected onto valid windows.
 * Optionally keeps the trajectory (inputs, means, stds, samples) that alignment needs.
 * @module
 */
import type { Rng } from '../ml/rng.js'
import { cosineSchedule, guide, posterior, type Schedule } from './ddpm.js'
import { contextDim, inputDim, writeContext, writeInput, type DenoiserConfig } from './denoiser.js'
import type { EpsFn } from './onnx.js'
import { project } from './space.js'
import type { Space } from './types.js'

/** One denoising step as alignment replays it: the network input, the step's mean and std, the draw. */
export interface StepRecord { t: number; input: Float32Array; xt: Float32Array; mean: Float32Array; std: number; next: Float32Array }

/** A window sampler bound to a network config and guidance weight. */
export class WindowSampler {
  readonly schedule: Schedule
  readonly #ctx: Float32Array
  readonly #input: Float32Array

  constructor(readonly space: Space, readonly cfg: DenoiserConfig, readonly eps: EpsFn, readonly guidance: number) {
    this.schedule = cosineSchedule(cfg.steps)
    this.#ctx = new Float32Array(2 * contextDim(cfg))
    this.#input = new Float32Array(2 * inputDim(cfg))
  }

  /**
   * Samples a_t given the normalised target window (NaN = missing) and the summary of a_{t−1}
   * (ignored when the model is not state-aware). Pushes each stochastic step onto `record`.
   */
  async sample(target: Float32Array, state: Float32Array | null, rng: Rng, record?: StepRecord[]): Promise<Float32Array> {
    const { cfg } = this
    const D = cfg.compDim
    const W = inputDim(cfg)
    writeContext(cfg, target, cfg.stateDim > 0 ? state : null, true, this.#ctx, 0)
    writeContext(cfg, target, null, false, this.#ctx, contextDim(cfg))
    let x = rng.fillNormal(new Float32Array(D))
    const guided = new Float32Array(D)
    for (let t = cfg.steps - 1; t >= 0; t--) {
      writeInput(cfg, x, t, this.#ctx, 0, this.#input, 0)
      writeInput(cfg, x, t, this.#ctx, contextDim(cfg), this.#input, W)
      const e = await this.eps(this.#input, 2)
      guide(e.subarray(0, D), e.subarray(D, 2 * D), this.guidance, guided)
      const mean = new Float32Array(D)
      const std = posterior(this.schedule, t, x, guided, mean)
      const next = new Float32Array(D)
      for (let i = 0; i < D; i++) next[i] = mean[i]! + std * rng.normal()
      if (record && std > 0) record.push({ t, input: Float32Array.from(this.#input), xt: x, mean, std, next })
      x = next
    }
    for (let i = 0; i < D; i++) x[i] = (x[i]! + 1) / 2
    return project(this.space, x)
  }
}
