/**
 * Pre-training of the diffusion model on a collected dataset: the standard ε-prediction
 * objective, condition dropped with p 0.1 (classifier-free guidance), each metric hidden with
 * p 0.1 (so missing metrics at generation time are a seen case), AdamW, EMA weights.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { mse } from '../ml/loss.js'
import { AdamW } from '../ml/optim.js'
import { Rng } from '../ml/rng.js'
import { cosineSchedule } from './ddpm.js'
import { synthesise } from './augment.js'
import { fitForward, Forward, quadDim } from './forward.js'
import { buildDenoiser, contextDim, inputDim, writeContext, writeInput, type DenoiserConfig } from './denoiser.js'
import type { ModelMeta } from './model.js'
import { fitRanges, normalise } from './normalise.js'
import { compDim, summarise, summaryDim } from './space.js'
import type { Mlp } from '../ml/mlp.js'
import type { Sample, Space } from './types.js'

/**
 * Classifier-free guidance weights (surrogate score on the 4 real traces, 256-wide model): on
 * collected samples alone 3 is best (MimeSys's value); with synthetic labels the conditional
 * branch is sharper and 1.5 beats 2 and 3 (0.0111 / 0.0118 / 0.0154).
 */
const GUIDANCE_COLLECTED = 3
const GUIDANCE_AUGMENTED = 1.5
/**
 * Sampling temperature with synthetic labels: half the posterior's noise lowered the samples'
 * forward-model error 0.0080 → 0.0071 and left best-of-8 unchanged (0.0054); 0 (deterministic)
 * collapses the 8 candidates onto one (best-of-8 0.0073).
 */
const TEMPERATURE_AUGMENTED = 0.5

export interface TrainOptions {
  hidden?: number
  layers?: number
  steps?: number
  /** Optimiser iterations (batches). */
  iterations?: number
  batch?: number
  lr?: number
  pUncond?: number
  pHideMetric?: number
  guidance?: number
  stateAware?: boolean
  emaDecay?: number
  seed?: number
  /**
   * Synthetic samples labelled by the forward model (augment.ts) added to the collected ones;
   * skipped when there are fewer collected samples than 4 per forward-model weight.
   */
  synthetic?: number
  /** Stop early after this many seconds (the budget on a 2-core device). */
  maxSeconds?: number
  onProgress?: (done: number, total: number, loss: number) => void
}

/** Trains a model; returns its metadata and the EMA network. */
export function train(space: Space, samples: Sample[], {
  hidden = 256, layers = 3, steps = 25, iterations = 30_000, batch = 128, lr = 1e-3, pUncond = 0.1, pHideMetric = 0.1,
  guidance, stateAware = true, emaDecay = 0.995, seed = 0, synthetic = 200_000, maxSeconds = Infinity, onProgress,
}: TrainOptions = {}): { meta: ModelMeta; net: Mlp } {
  if (samples.length < 2) throw new InvalidInputError(`training needs at least 2 samples, the dataset has ${samples.length}`)
  // Ranges and the forward model come from the collected samples only: synthetic labels are
  // clamped to these ranges, so DTW is scaled by what the device did.
  const ranges = fitRanges(space.metrics, samples.map((s) => s.obs))
  const forward = fitForward(ranges, samples)
  const augment = synthetic > 0 && samples.length >= 4 * quadDim(compDim(space))
  const augmented = augment ? [...samples, ...synthesise(space, ranges, new Forward(forward), samples, synthetic, new Rng(seed + 2))] : samples
  const cfg: DenoiserConfig = {
    compDim: compDim(space), metrics: space.metrics.length, stateDim: stateAware ? summaryDim(space) : 0, hidden, layers, steps,
  }
  const net = buildDenoiser(cfg, seed)
  const params = net.params()
  const ema = params.map((p) => Float32Array.from(p.value))
  const opt = new AdamW(params, { lr, weightDecay: 1e-4 })
  const sch = cosineSchedule(steps)
  const rng = new Rng(seed + 1)
  const obs = augmented.map((s) => normalise(ranges, s.obs))
  const state = augmented.map((s) => summarise(space, s.prev))
  const D = cfg.compDim
  const ctxW = contextDim(cfg)
  const inW = inputDim(cfg)
  const input = new Float32Array(batch * inW)
  const ctx = new Float32Array(ctxW)
  const eps = new Float32Array(batch * D)
  const grad = new Float32Array(batch * D)
  const xt = new Float32Array(D)
  const hidden01 = new Float32Array(cfg.metrics)
  const started = performance.now()
  let avg = NaN
  let done = 0
  for (; done < iterations && (performance.now() - started) / 1000 < maxSeconds; done++) {
    for (let r = 0; r < batch; r++) {
      const i = rng.int(augmented.length)
      const t = rng.int(steps)
      const a = Math.sqrt(sch.alphaBar[t]!)
      const b = Math.sqrt(1 - sch.alphaBar[t]!)
      for (let j = 0; j < D; j++) {
        const e = rng.normal()
        eps[r * D + j] = e
        xt[j] = a * (2 * augmented[i]!.comp[j]! - 1) + b * e
      }
      for (let n = 0; n < cfg.metrics; n++) hidden01[n] = rng.next() < pHideMetric ? NaN : obs[i]![n]!
      writeContext(cfg, hidden01, state[i]!, rng.next() >= pUncond, ctx)
      writeInput(cfg, xt, t, ctx, 0, input, r * inW)
    }
    const pred = net.forward(input, batch)
    const loss = mse(pred.subarray(0, batch * D), eps, { grad })
    opt.zeroGrad()
    net.backward(grad, { inputGrad: false })
    opt.step()
    params.forEach((p, k) => { const e = ema[k]!; for (let j = 0; j < e.length; j++) e[j] = emaDecay * e[j]! + (1 - emaDecay) * p.value[j]! })
    avg = Number.isNaN(avg) ? loss : 0.98 * avg + 0.02 * loss
    onProgress?.(done + 1, iterations, avg)
  }
  params.forEach((p, k) => p.value.set(ema[k]!))
  const meta: ModelMeta = {
    version: 1, space, ranges, net: cfg, guidance: guidance ?? (augment ? GUIDANCE_AUGMENTED : GUIDANCE_COLLECTED), stateAware,
    temperature: augment ? TEMPERATURE_AUGMENTED : 1, forward,
    training: { samples: samples.length, synthetic: augmented.length - samples.length, iterations: done, batch, lr, loss: avg, seconds: (performance.now() - started) / 1000, seed },
  }
  return { meta, net }
}
