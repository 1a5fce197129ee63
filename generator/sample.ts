/**
 * Sampling one composition window from the diffusion model: 25 ancestral DDPM steps with
 * classifier-free guidance (conditional and null context evaluated as one batch of two rows),
 * optionally a lowered temperature, x0 clipped, the result mapped from [−1, 1] to fractions,
 * noise around "off" cleaned up (cleanUp) and projected onto valid windows.
 * Optionally keeps the trajectory (inputs, means, stds, samples) that alignment needs.
 * @module
 */
import type { Rng } from '../ml/rng.js'
import { cosineSchedule, guide, posterior, type Schedule } from './ddpm.js'
import { contextDim, inputDim, writeContext, writeInput, type DenoiserConfig } from './denoiser.js'
import type { EpsFn } from './onnx.js'
import { project } from './space.js'
import type { Space } from './types.js'

/**
 * Fractions below this are sampling noise around "off" (x near −1), not intent: 2 % of a 250 ms
 * window is one 1 MiB block of a paced disk stressor, which shows as MB/s of spurious I/O.
 */
export const MIN_FRACTION = 0.02

/**
 * One denoising step as alignment replays it: the network input, the step's mean and std (0 at
 * the last step, t = 0, which is deterministic), the draw.
 */
export interface StepRecord { t: number; input: Float32Array; xt: Float32Array; mean: Float32Array; std: number; next: Float32Array }

/** A window sampler bound to a network config and guidance weight. */
export class WindowSampler {
  readonly schedule: Schedule
  readonly #ctx: Float32Array
  readonly #input: Float32Array

  /** @param temperature scales the noise of every ancestral step (1 = the model's posterior) */
  constructor(readonly space: Space, readonly cfg: DenoiserConfig, readonly eps: EpsFn, readonly guidance: number, readonly temperature = 1) {
    this.schedule = cosineSchedule(cfg.steps)
    this.#ctx = new Float32Array(2 * contextDim(cfg))
    this.#input = new Float32Array(2 * inputDim(cfg))
  }

  /**
   * Samples `n` candidate windows for a_t at once (one batch of 2n rows per step) given the
   * normalised target window (NaN = missing) and the summary of a_{t−1} (ignored when the model
   * is not state-aware). With n = 1, pushes each step onto `record`.
   */
  async sample(target: Float32Array, state: Float32Array | null, rng: Rng, record?: StepRecord[], n = 1): Promise<Float32Array[]> {
    const { cfg } = this
    const D = cfg.compDim
    const W = inputDim(cfg)
    const C = contextDim(cfg)
    writeContext(cfg, target, cfg.stateDim > 0 ? state : null, true, this.#ctx, 0)
    writeContext(cfg, target, null, false, this.#ctx, C)
    const input = n === 1 ? this.#input : new Float32Array(2 * n * W)
    let x = Array.from({ length: n }, () => rng.fillNormal(new Float32Array(D)))
    const guided = new Float32Array(D)
    for (let t = cfg.steps - 1; t >= 0; t--) {
      x.forEach((xi, c) => {
        writeInput(cfg, xi, t, this.#ctx, 0, input, 2 * c * W)
        writeInput(cfg, xi, t, this.#ctx, C, input, (2 * c + 1) * W)
      })
      const e = await this.eps(input, 2 * n)
      x = x.map((xi, c) => {
        guide(e.subarray(2 * c * D, (2 * c + 1) * D), e.subarray((2 * c + 1) * D, (2 * c + 2) * D), this.guidance, guided)
        const mean = new Float32Array(D)
        const std = this.temperature * posterior(this.schedule, t, xi, guided, mean)
        const next = new Float32Array(D)
        for (let i = 0; i < D; i++) next[i] = mean[i]! + std * rng.normal()
        if (record && n === 1) record.push({ t, input: Float32Array.from(input.subarray(0, 2 * W)), xt: xi, mean, std, next })
        return next
      })
    }
    return x.map((xi) => project(this.space, cleanUp(this.space, xi.map((v) => (v + 1) / 2))))
  }
}

/**
 * A thread whose CPU/memory fractions sum below this is idle: one jiffy of a 1 s /proc sample
 * at 100 Hz, the resolution of the traces. The model's per-thread CPU total is calibrated at the
 * low end (targets of 1, 2, 3 % sampled 1.3, 2.5, 3.4 % at the median; 0 % sampled 0.3 %,
 * 1.4 % at the 90th percentile), so idling every thread without one fraction of MIN_FRACTION,
 * as before, zeroed rows that asked for 1-4 %.
 */
export const IDLE_CPU = 0.01

/**
 * Drops sampling noise around "off" without losing busy time. A disk fraction under
 * MIN_FRACTION is dropped. A thread's CPU/memory total is kept unless it is under IDLE_CPU:
 * its fractions under MIN_FRACTION give their time to the thread's other CPU/memory stressors,
 * or, when all of them are that small, to its largest one. Dropping small fractions outright
 * sampled cores asked for 30-70 % about 1.5 % low.
 */
export function cleanUp(s: Space, a: Float32Array): Float32Array {
  const K = s.threads
  const cpuRows = s.stressors.map((_, m) => m).filter((m) => !s.disk[m])
  for (let k = 0; k < K; k++) {
    s.disk.forEach((d, m) => { if (d && a[m * K + k]! < MIN_FRACTION) a[m * K + k] = 0 })
    const cpu = cpuRows.map((m) => Math.min(1, Math.max(0, a[m * K + k]! || 0)))
    const total = cpu.reduce((x, v) => x + v, 0)
    const largest = Math.max(...cpu)
    const floor = largest < MIN_FRACTION ? largest : MIN_FRACTION
    const kept = cpu.reduce((x, v) => (v >= floor ? x + v : x), 0)
    cpuRows.forEach((m, i) => { a[m * K + k] = total < IDLE_CPU || cpu[i]! < floor ? 0 : cpu[i]! * total / kept })
  }
  return a
}
