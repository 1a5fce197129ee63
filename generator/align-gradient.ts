/**
 * Alignment by reward backpropagation (beyond MimeSys; DRaFT, Clark et al. 2024). The learned
 * forward model (forward.ts) is differentiable, and so is the sampler once each step's noise draw
 * is held fixed: x_{t−1} = c0·x̂0(x_t, ε̃) + ct·x_t + σ_t·z. So the gradient of each sampled
 * window's loss Σ_n |f_n(a) − o_n| (align()'s reward, negated) reaches the ε-network through its
 * last `depth` denoising steps. DDPO's REINFORCE estimate (align.ts) learns from the reward's
 * value alone and drifted with the same rewards. L1, not squared: a squared loss weighs each
 * row by its residual, so the rows the device cannot reach (reads past the fastest paced reader)
 * would pull hardest. The windows are the diffusion policy's own, sampled on segments of real
 * target traces with state-aware conditioning, as align() samples them.
 * @module
 */
import { Adam } from '../ml/optim.js'
import { Rng } from '../ml/rng.js'
import type { Mlp } from '../ml/mlp.js'
import { sampleSegments } from './align.js'
import { cosineSchedule } from './ddpm.js'
import { inputDim } from './denoiser.js'
import type { Forward } from './forward.js'
import { targetRows, type GeneratorParts } from './generate.js'
import type { ModelMeta } from './model.js'
import { netEps } from './onnx.js'
import type { StepRecord } from './sample.js'
import type { Target } from './types.js'

export interface GradientAlignOptions {
  iterations?: number
  /** Rows of each trace per iteration (a random segment, one window per row). */
  segment?: number
  /** Denoising steps the gradient flows back through, from the last (DRaFT-K). */
  depth?: number
  lr?: number
  /** Windows per forward/backward pass; bounds the ml arena, not the batch. */
  gradChunk?: number
  seed?: number
  signal?: AbortSignal
  /** Called after each iteration with the batch's mean reward, −mean |f(a) − o| (normalised). */
  onIteration?: (i: number, meanReward: number) => void
}

/**
 * Aligns `net` (updated in place, left at the weights of the best iteration) so that its samples
 * reach their target windows on the forward model; returns the mean reward of each iteration's
 * samples (each measured before that iteration's update), in align()'s units.
 */
export async function alignGradient(meta: ModelMeta, net: Mlp, forward: Forward, targets: Target[], {
  iterations = 200, segment = 32, depth = 1, lr = 1e-5, gradChunk = 256, seed = 0, signal, onIteration,
}: GradientAlignOptions = {}): Promise<number[]> {
  const D = meta.net.compDim
  const rng = new Rng(seed + 211)
  const params = net.params()
  const opt = new Adam(params, { lr })
  let best = -Infinity
  let bestParams = params.map((p) => Float32Array.from(p.value))
  const parts: GeneratorParts = { meta, eps: netEps(net) }
  const rowsOf = targets.map((t) => targetRows(meta, t))
  const perRowOf = targets.map(() => 1)
  const rewards: number[] = []
  const grad = new Float64Array(D)
  for (let it = 0; it < iterations && !signal?.aborted; it++) {
    const { records, goals, windows } = await sampleSegments(parts, rowsOf, perRowOf, segment, rng)
    // dL/da of every played window; a straight-through gradient across cleanUp and the projection.
    const dA: Float32Array[] = []
    let reward = 0
    windows.forEach((a, i) => {
      const present = goals[i]!.reduce((k, v) => (Number.isNaN(v) ? k : k + 1), 0)
      reward += forward.lossGrad(a, goals[i]!, grad, true) / Math.max(present, 1)
      dA.push(Float32Array.from(grad, (g) => g / 2 / windows.length)) // a = (x + 1) / 2
    })
    const mean = -reward / windows.length
    rewards.push(mean)
    if (mean > best) { best = mean; bestParams = params.map((p) => Float32Array.from(p.value)) }
    onIteration?.(it, mean)
    opt.zeroGrad()
    for (let from = 0; from < records.length; from += gradChunk) {
      chainGradient(meta, net, records.slice(from, from + gradChunk), dA.slice(from, from + gradChunk), depth)
    }
    opt.step()
  }
  params.forEach((p, k) => p.value.set(bestParams[k]!))
  return rewards
}

/**
 * Backpropagates dL/dx of the final samples (`dFinal`, one per trajectory in `records`) through
 * the last `depth` steps of their trajectories into the network's parameter gradients
 * (accumulated, as Mlp.backward does). The gradient held per window is dL/dx_{t−1} and becomes
 * dL/dx_t at each step: through the posterior mean (ct·x_t, and x̂0 = (x_t − √(1−ᾱ)·ε̃)/√ᾱ,
 * which does not move where it was clipped) and through both guidance rows' x_t input. The
 * draws are held fixed (reparameterisation), so x_{t−1} moves with its mean.
 */
export function chainGradient(meta: ModelMeta, net: Mlp, records: StepRecord[][], dFinal: Float32Array[], depth: number): void {
  const cfg = meta.net
  const D = cfg.compDim
  const W = inputDim(cfg)
  const w = meta.guidance
  const sch = cosineSchedule(cfg.steps)
  const n = records.length
  const g = dFinal.map((d) => Float32Array.from(d))
  for (let back = 0; back < Math.min(depth, cfg.steps); back++) {
    const steps = records.map((rec) => rec[rec.length - 1 - back]!)
    const t = steps[0]!.t
    const ab = sch.alphaBar[t]!
    const abPrev = t > 0 ? sch.alphaBar[t - 1]! : 1
    const c0 = Math.sqrt(abPrev) * sch.beta[t]! / (1 - ab)
    const ct = Math.sqrt(1 - sch.beta[t]!) * (1 - abPrev) / (1 - ab)
    const s0 = Math.sqrt(ab)
    const s1 = Math.sqrt(1 - ab)
    const input = new Float32Array(2 * n * W)
    steps.forEach((s, i) => input.set(s.input, 2 * i * W))
    const eps = net.forward(input, 2 * n)
    const dOut = new Float32Array(2 * n * D)
    const dx0 = new Float32Array(n * D)
    steps.forEach((s, i) => {
      for (let j = 0; j < D; j++) {
        const e = eps[(2 * i + 1) * D + j]! + w * (eps[2 * i * D + j]! - eps[(2 * i + 1) * D + j]!)
        if (Math.abs((s.xt[j]! - s1 * e) / s0) >= 1) continue // clipped: x̂0 does not move
        const d = c0 * g[i]![j]!
        dx0[i * D + j] = d
        const dEps = -s1 / s0 * d
        dOut[2 * i * D + j] = w * dEps
        dOut[(2 * i + 1) * D + j] = (1 - w) * dEps
      }
    })
    const dIn = net.backward(dOut, { inputGrad: back + 1 < depth })
    if (!dIn) break
    g.forEach((gi, i) => {
      for (let j = 0; j < D; j++) {
        gi[j] = ct * gi[j]! + dx0[i * D + j]! / s0 + dIn[2 * i * W + j]! + dIn[(2 * i + 1) * W + j]!
      }
    })
  }
}

