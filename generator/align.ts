/**
 * Execution-driven alignment (MimeSys §4.3): DDPO-style policy gradient over the denoising
 * steps. Each iteration samples compositions for segments of real target traces, replays them
 * (on the device, or on the forward model fitted from the device's executions: forwardReplayer),
 * scores every window with reward = −(weighted L1 between recorded and target, normalised),
 * normalises the rewards into advantages (clipped at ±3) and ascends
 * Σ_windows A · Σ_steps ∇ log N(x_{t−1}; μ_θ(x_t), σ_t²). One update per batch keeps it
 * on-policy, so the importance ratio is 1 and no PPO clipping is needed.
 * @module
 */
import { Adam } from '../ml/optim.js'
import { Rng } from '../ml/rng.js'
import type { Mlp } from '../ml/mlp.js'
import type { Replayer } from './device.js'
import { cosineSchedule } from './ddpm.js'
import type { Forward } from './forward.js'
import { inputDim } from './denoiser.js'
import { averageRows } from './evaluate.js'
import { generate, policyFor, targetRows, windowsPerRow, type GeneratorParts, type Policy } from './generate.js'
import type { ModelMeta } from './model.js'
import { denormalise, normalise, type Ranges } from './normalise.js'
import { netEps } from './onnx.js'
import type { StepRecord } from './sample.js'
import type { Space, Target } from './types.js'

/**
 * The learned forward model (forward.ts) as a replayer: each window's predicted trace, in raw
 * units. A window costs microseconds instead of its length in device time, so alignment can
 * take hundreds of iterations; the forward model was fitted on this device's executions, and
 * its error (held-out R² 0.95-0.99) bounds what the policy can learn from it.
 */
export function forwardReplayer(ranges: Ranges, forward: Forward): Replayer {
  return {
    run: async (_space: Space, windows: Float32Array[]) => windows.map((a) => {
      const o = forward.predict(a)
      return Float32Array.from(o, (v, n) => denormalise(ranges, n, v))
    }),
  }
}

/** What one batch of segments sampled from the policy holds: per window its trajectory and goal. */
export interface SampledSegments {
  /** Per window, its denoising steps (the first drawn first; the last, t = 0, has std 0). */
  records: StepRecord[][]
  /** Per window, its normalised target row. */
  goals: Float32Array[]
  windows: Float32Array[]
  /** Per trace, how many windows it played and how many windows make one of its rows. */
  played: { windows: number; perRow: number }[]
}

/** Samples a random segment of `segment` rows of every target with the diffusion policy, keeping the trajectories. */
export async function sampleSegments(parts: GeneratorParts, rowsOf: Float32Array[][], perRowOf: number[], segment: number, rng: Rng): Promise<SampledSegments> {
  const out: SampledSegments = { records: [], goals: [], windows: [], played: [] }
  const policy = policyFor(parts, 'diffusion')
  for (const [k, rows] of rowsOf.entries()) {
    const start = rng.int(Math.max(1, rows.length - segment + 1))
    const seg = rows.slice(start, start + segment)
    const recording: Policy = async (t, s, r) => { const rec: StepRecord[] = []; out.records.push(rec); out.goals.push(t); return policy(t, s, r, rec) }
    out.windows.push(...await generate(parts, recording, seg, perRowOf[k]!, { seed: rng.nextU32() }))
    out.played.push({ windows: seg.length * perRowOf[k]!, perRow: perRowOf[k]! })
  }
  return out
}

export interface AlignOptions {
  iterations?: number
  /** Rows of each trace per iteration (a random segment). */
  segment?: number
  /**
   * Play each row over its own period (several model windows, recorded windows averaged back
   * into the row, as `eval --real-time`) instead of one window per row. On /proc recordings a
   * 250 ms window carries a ±4 % CPU read-out floor that otherwise dominates the reward.
   */
  realTime?: boolean
  lr?: number
  advantageClip?: number
  /**
   * Windows per forward/backward pass of the policy gradient (steps × 2 network rows each); the
   * gradient is accumulated over passes, so this bounds memory, not the batch.
   */
  gradChunk?: number
  /** Reward weight per metric (default equal). */
  weights?: number[]
  seed?: number
  signal?: AbortSignal
  onIteration?: (i: number, meanReward: number) => void
}

/**
 * Aligns `net` (updated in place, left at the weights of the best iteration) on the targets;
 * returns the mean reward of each iteration (each measured before that iteration's update).
 */
export async function align(device: Replayer, meta: ModelMeta, net: Mlp, targets: Target[], {
  iterations = 6, segment = 32, realTime = false, lr = 1e-5, advantageClip = 3, gradChunk = 128, weights, seed = 0, signal, onIteration,
}: AlignOptions = {}): Promise<number[]> {
  const { space, ranges, guidance } = meta
  const cfg = meta.net
  const D = cfg.compDim
  const N = space.metrics.length
  const w = weights ?? space.metrics.map(() => 1)
  const rng = new Rng(seed + 101)
  const sch = cosineSchedule(cfg.steps)
  const params = net.params()
  const opt = new Adam(params, { lr })
  // The policy gradient can collapse after many iterations (forward-model rewards, lr 3e-5:
  // better for ~150-250 iterations, then one CPU metric fell apart), so the weights behind the
  // best mean reward are kept and restored at the end.
  let best = -Infinity
  let bestParams = params.map((p) => Float32Array.from(p.value))
  const parts: GeneratorParts = { meta, eps: netEps(net) }
  const rewards: number[] = []
  const rowsOf = targets.map((t) => targetRows(meta, t))
  const perRowOf = targets.map((t) => windowsPerRow(meta, t, !realTime))
  for (let it = 0; it < iterations && !signal?.aborted; it++) {
    const { records, goals, windows, played } = await sampleSegments(parts, rowsOf, perRowOf, segment, rng)
    const obs = await device.run(space, windows, { signal })
    if (obs.length < windows.length) break
    // Each window is scored by what its row recorded (its row's windows averaged).
    const recorded: ArrayLike<number>[] = []
    let at = 0
    for (const { windows: n, perRow } of played) {
      for (const row of averageRows(obs.slice(at, at + n), perRow)) for (let j = 0; j < perRow; j++) recorded.push(row)
      at += n
    }
    const r = recorded.map((o, i) => {
      const on = normalise(ranges, o)
      let s = 0; let ws = 0
      for (let n = 0; n < N; n++) if (!Number.isNaN(goals[i]![n]!)) { s += w[n]! * Math.abs(on[n]! - goals[i]![n]!); ws += w[n]! }
      return -s / Math.max(ws, 1e-9)
    })
    const mean = r.reduce((a, b) => a + b, 0) / r.length
    const std = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / r.length) || 1
    rewards.push(mean)
    if (mean > best) { best = mean; bestParams = params.map((p) => Float32Array.from(p.value)) }
    onIteration?.(it, mean)
    // Gradient of −A·log p over every recorded step, accumulated over chunks of windows so the
    // activations stay within the ml arena (one pass over 268 windows, 13 400 rows, overflowed it).
    opt.zeroGrad()
    const W = inputDim(cfg)
    for (let from = 0; from < records.length; from += gradChunk) {
      // The last step (std 0) is deterministic: it has no log-probability.
      const chunk = records.slice(from, from + gradChunk).map((rec) => rec.filter((st) => st.std > 0))
      const steps = chunk.reduce((a, rec) => a + rec.length, 0)
      const input = new Float32Array(2 * steps * W)
      let row = 0
      for (const rec of chunk) for (const s of rec) { input.set(s.input, row * 2 * W); row++ }
      const eps = net.forward(input, 2 * steps)
      const dOut = new Float32Array(2 * steps * D)
      row = 0
      chunk.forEach((rec, k) => {
        const adv = Math.max(-advantageClip, Math.min(advantageClip, (r[from + k]! - mean) / std))
        for (const s of rec) {
          const ab = sch.alphaBar[s.t]!
          const c0 = Math.sqrt(s.t > 0 ? sch.alphaBar[s.t - 1]! : 1) * sch.beta[s.t]! / (1 - ab)
          for (let j = 0; j < D; j++) {
            const ec = eps[2 * row * D + j]!
            const eu = eps[(2 * row + 1) * D + j]!
            const g = eu + guidance * (ec - eu)
            const x0 = (s.xt[j]! - Math.sqrt(1 - ab) * g) / Math.sqrt(ab)
            if (Math.abs(x0) >= 1) continue // clipped: μ does not depend on ε here
            const dLogpDmean = (s.next[j]! - s.mean[j]!) / (s.std * s.std)
            const dLdEps = -adv * dLogpDmean * c0 * -Math.sqrt(1 - ab) / Math.sqrt(ab) / records.length
            dOut[2 * row * D + j] = guidance * dLdEps
            dOut[(2 * row + 1) * D + j] = (1 - guidance) * dLdEps
          }
          row++
        }
      })
      net.backward(dOut, { inputGrad: false })
    }
    opt.step()
  }
  params.forEach((p, k) => p.value.set(bestParams[k]!))
  return rewards
}
