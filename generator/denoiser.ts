/**
 * The ε-network of the conditional diffusion model, sized for a 2-core device: one MLP over
 * [x_t, time embedding, context]. The context is state-aware (MimeSys §4.2.2): the target
 * window o_t (normalised, with a present/missing bit per metric, so traces with missing
 * metrics still condition the model), the summary of the previous composition a_{t−1}, and a
 * flag that is 0 for the unconditional branch of classifier-free guidance.
 * @module
 */
import { silu } from '../ml/activations.js'
import { Mlp } from '../ml/mlp.js'
import { Rng } from '../ml/rng.js'

export const TIME_FREQS = 8

/** Saved with the model: everything needed to rebuild the network. */
export interface DenoiserConfig {
  /** Composition window length, M×K. */
  compDim: number
  metrics: number
  /** Previous-composition summary length (0 when state-aware conditioning is off). */
  stateDim: number
  hidden: number
  layers: number
  steps: number
}

/** Width of the context part of the input. */
export function contextDim(c: DenoiserConfig): number { return 2 * c.metrics + c.stateDim + 1 }

/** Width of the whole network input. */
export function inputDim(c: DenoiserConfig): number { return c.compDim + 2 * TIME_FREQS + contextDim(c) }

/** Builds the MLP [input, hidden × layers, compDim] with SiLU. */
export function buildDenoiser(c: DenoiserConfig, seed = 0): Mlp {
  const sizes = [inputDim(c), ...Array.from({ length: c.layers }, () => c.hidden), c.compDim]
  return new Mlp(sizes, { name: 'eps', activation: silu, rng: new Rng(seed), init: 'he' })
}

/**
 * Writes one context row: o_t (NaN → 0 with its present bit 0), the previous-window summary,
 * and the conditional flag. `cond = false` gives the null context of guidance.
 */
export function writeContext(c: DenoiserConfig, target: ArrayLike<number>, state: ArrayLike<number> | null,
  cond: boolean, out: Float32Array, at = 0): void {
  const n = c.metrics
  if (!cond) { out.fill(0, at, at + contextDim(c)); return }
  for (let i = 0; i < n; i++) {
    const v = target[i]!
    const present = !Number.isNaN(v)
    out[at + i] = present ? v : 0
    out[at + n + i] = present ? 1 : 0
  }
  for (let i = 0; i < c.stateDim; i++) out[at + 2 * n + i] = state ? state[i]! : 0
  out[at + 2 * n + c.stateDim] = 1
}

/** Writes one full input row: x_t, the embedding of step t, then a context row already built. */
export function writeInput(c: DenoiserConfig, xt: ArrayLike<number>, t: number, context: Float32Array, ctxAt: number,
  out: Float32Array, at: number): void {
  for (let i = 0; i < c.compDim; i++) out[at + i] = xt[i]!
  const tau = (t + 1) / c.steps
  for (let f = 0; f < TIME_FREQS; f++) {
    const w = Math.PI * 2 ** f * tau
    out[at + c.compDim + 2 * f] = Math.sin(w)
    out[at + c.compDim + 2 * f + 1] = Math.cos(w)
  }
  const base = at + c.compDim + 2 * TIME_FREQS
  for (let i = 0; i < contextDim(c); i++) out[base + i] = context[ctxAt + i]!
}
