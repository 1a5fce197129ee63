/**
 * DDPM maths (Ho et al. 2020) with the cosine schedule of Nichol & Dhariwal (2021), as MimeSys
 * uses it: 25 steps, ε-prediction, predicted x0 clipped to [−1, 1], classifier-free guidance.
 * Pure functions over Float32Arrays; the network that predicts ε lives elsewhere.
 * @module
 */
import type { Rng } from '../ml/rng.js'

/** The schedule tables, index t = 0..steps−1 (t = 0 is the least noisy step). */
export interface Schedule {
  steps: number
  beta: Float64Array
  alphaBar: Float64Array
}

/** Cosine schedule: ᾱ(t) = cos²((t/T + s)/(1 + s)·π/2), β clipped at 0.999. */
export function cosineSchedule(steps = 25, s = 0.008): Schedule {
  const f = (t: number) => Math.cos(((t / steps + s) / (1 + s)) * Math.PI / 2) ** 2
  const beta = new Float64Array(steps)
  const alphaBar = new Float64Array(steps)
  let ab = 1
  for (let t = 0; t < steps; t++) {
    beta[t] = Math.min(0.999, 1 - f(t + 1) / f(t))
    ab *= 1 - beta[t]!
    alphaBar[t] = ab
  }
  return { steps, beta, alphaBar }
}

/** x_t = √ᾱ_t·x0 + √(1−ᾱ_t)·ε, written into `out`. */
export function noised(sch: Schedule, t: number, x0: Float32Array, eps: Float32Array, out: Float32Array): Float32Array {
  const a = Math.sqrt(sch.alphaBar[t]!)
  const b = Math.sqrt(1 - sch.alphaBar[t]!)
  for (let i = 0; i < x0.length; i++) out[i] = a * x0[i]! + b * eps[i]!
  return out
}

/** Classifier-free guidance: ε = ε_u + w·(ε_c − ε_u), into `out`. */
export function guide(epsCond: Float32Array, epsUncond: Float32Array, w: number, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = epsUncond[i]! + w * (epsCond[i]! - epsUncond[i]!)
  return out
}

/**
 * Mean and standard deviation of p(x_{t−1} | x_t) given predicted ε: x0 is recovered, clipped
 * to [−1, 1], and plugged into the posterior q(x_{t−1} | x_t, x0). At t = 0 the std is 0.
 */
export function posterior(sch: Schedule, t: number, xt: Float32Array, eps: Float32Array, mean: Float32Array): number {
  const ab = sch.alphaBar[t]!
  const abPrev = t > 0 ? sch.alphaBar[t - 1]! : 1
  const beta = sch.beta[t]!
  const c0 = Math.sqrt(abPrev) * beta / (1 - ab)
  const ct = Math.sqrt(1 - beta) * (1 - abPrev) / (1 - ab)
  for (let i = 0; i < xt.length; i++) {
    const x0 = Math.min(1, Math.max(-1, (xt[i]! - Math.sqrt(1 - ab) * eps[i]!) / Math.sqrt(ab)))
    mean[i] = c0 * x0 + ct * xt[i]!
  }
  return t > 0 ? Math.sqrt(beta * (1 - abPrev) / (1 - ab)) : 0
}

/** Draws x_{t−1} = mean + std·z into `out`. */
export function step(mean: Float32Array, std: number, rng: Rng, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = mean[i]! + std * rng.normal()
}

/** log N(x; mean, std²) summed over elements (up to the constant, which cancels in ratios). */
export function logProb(x: Float32Array, mean: Float32Array, std: number): number {
  let s = 0
  for (let i = 0; i < x.length; i++) { const d = (x[i]! - mean[i]!) / std; s -= 0.5 * d * d }
  return s - x.length * Math.log(std)
}
