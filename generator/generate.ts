/**
 * Sequential generation over a target trace's windows with any method: the diffusion model
 * (conditioned on each target window and on the previous window's composition) or a baseline.
 * A target row of period P becomes P / W composition windows of the model's length W (or one,
 * `compress`, to replay a trace faster for evaluation: the metrics are rates, so a row's
 * windows reproduce the same rates whatever their length).
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { Rng } from '../ml/rng.js'
import { calibrateSingle, neighbourPolicies, pickClosest, singlePolicy } from './baselines.js'
import type { Forward } from './forward.js'
import { refineBest } from './guide.js'
import type { ModelMeta } from './model.js'
import { normalise } from './normalise.js'
import type { EpsFn } from './onnx.js'
import { WindowSampler, type StepRecord } from './sample.js'
import { compDim, summarise } from './space.js'
import { fillGaps } from './target.js'
import { METHODS, type Method, type Sample, type Target } from './types.js'

/**
 * Produces a_t from the normalised target window and the summary of a_{t−1}. `aim`, when given,
 * is the trace the forward model should reach instead of the target (closed-loop bias
 * correction); methods without a forward model ignore it.
 */
export type Policy = (target: Float32Array, state: Float32Array, rng: Rng, record?: StepRecord[], aim?: Float32Array) => Promise<Float32Array>

/** Diffusion proposals per window of the guided method when `candidates` is not given. */
export const GUIDED_CANDIDATES = 8

/** What generation needs: the model's metadata, its ε-function and the training samples (baselines). */
export interface GeneratorParts {
  meta: ModelMeta
  eps?: EpsFn
  samples?: Sample[]
  /**
   * Diffusion candidates per window (default 1, as in MimeSys; GUIDED_CANDIDATES for guided).
   * Above 1, diffusion keeps the candidate whose trace the forward model predicts closest to
   * the target: best-of-n sampling.
   */
  candidates?: number
  /** The learned forward model (forward.ts): guided sampling and best-of-n scoring. */
  forward?: Forward
}

/** The policy of a method. @throws InvalidInputError for an unknown method or a missing part. */
export function policyFor(parts: GeneratorParts, method: Method): Policy {
  const { space, ranges, net, guidance, temperature } = parts.meta
  if (method === 'diffusion' || method === 'guided') {
    if (!parts.eps) throw new InvalidInputError(`${method} needs a model network`)
    const sampler = new WindowSampler(space, net, parts.eps, guidance, temperature)
    const fwd = parts.forward
    if (method === 'guided') {
      if (!fwd) throw new InvalidInputError('guided sampling needs a forward model (model.json forward, or the training dataset to fit one)')
      const n = parts.candidates ?? GUIDED_CANDIDATES
      return async (t, s, rng, _record, aim) => refineBest(space, fwd, await sampler.sample(t, s, rng, undefined, n), aim ?? t)
    }
    const n = parts.candidates ?? 1
    if (n <= 1) return async (t, s, rng, record) => (await sampler.sample(t, s, rng, record))[0]!
    if (!fwd) throw new InvalidInputError('diffusion with several candidates needs a forward model (model.json forward, or the training dataset to fit one)')
    return async (t, s, rng, _record, aim) => pickClosest(await sampler.sample(t, s, rng, undefined, n), (c) => fwd.predict(c), aim ?? t)
  }
  if (!METHODS.includes(method)) throw new InvalidInputError(`unknown method '${String(method)}'; one of ${METHODS.join(', ')}`)
  if (!parts.samples?.length) throw new InvalidInputError(`method ${method} needs the training dataset (model.json training.data)`)
  // Baselines see the target with its gaps filled per window by the caller; NaN = missing metric.
  const p = method === 'single'
    ? singlePolicy(space, calibrateSingle(space, ranges, parts.samples))
    : neighbourPolicies(space, ranges, parts.samples)[method]
  return async (t) => p(t)
}

/** Normalised target rows (gaps filled, metrics the model does not know refused). */
export function targetRows(meta: ModelMeta, target: Target): Float32Array[] {
  if (target.metrics.join() !== meta.space.metrics.join()) {
    throw new InvalidInputError(`target metrics ${target.metrics.join(', ')} differ from the model's ${meta.space.metrics.join(', ')}`)
  }
  return fillGaps(target).rows.map((r) => normalise(meta.ranges, r))
}

/** How many model windows one target row becomes. */
export function windowsPerRow(meta: ModelMeta, target: Target, compress: boolean): number {
  return compress ? 1 : Math.max(1, Math.round((target.periodS * 1000) / meta.space.windowMs))
}

/**
 * Generates the composition windows for a target, sequentially.
 * @param rows normalised target rows (see targetRows)
 */
export async function generate(parts: GeneratorParts, policy: Policy, rows: Float32Array[], perRow: number,
  { seed = 0, onWindow }: { seed?: number; onWindow?: (done: number, total: number) => void } = {}): Promise<Float32Array[]> {
  const { space } = parts.meta
  const rng = new Rng(seed)
  const out: Float32Array[] = []
  let prev: Float32Array = new Float32Array(compDim(space))
  for (const row of rows) {
    for (let j = 0; j < perRow; j++) {
      prev = await policy(row, summarise(space, prev), rng)
      out.push(prev)
      onWindow?.(out.length, rows.length * perRow)
    }
  }
  return out
}
