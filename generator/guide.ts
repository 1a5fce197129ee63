/**
 * Model-guided sampling (beyond MimeSys): the diffusion model proposes N candidate windows in
 * one onnxruntime batch, the learned forward model (forward.ts) refines every candidate by
 * projected gradient descent on ‖f(a) − goal‖² over the metrics the goal has, and the candidate
 * with the lowest refined loss is kept. The diffusion sample decides which stressors run on
 * which thread (the discrete part the gradient cannot change: in a one-kind space the projection
 * keeps one group, CPU or disk, per thread); the refinement tunes how much. Every step is projected, so the
 * result is always a valid window.
 * @module
 */
import type { Forward } from './forward.js'
import { project } from './space.js'
import type { Space } from './types.js'

export interface RefineOptions {
  /** Projected-gradient steps per candidate. */
  steps?: number
  /** First step size, in fraction units per unit of gradient; adapted by backtracking. */
  lr?: number
}

/**
 * Refines one window toward `goal` (normalised, NaN = missing) in place and returns its final
 * loss. Backtracking keeps it monotone: a step that does not lower the loss is undone and the
 * step size halved; an accepted step grows it by half.
 */
export function refine(space: Space, fwd: Forward, a: Float32Array, goal: ArrayLike<number>, { steps = 30, lr = 0.5 }: RefineOptions = {}): number {
  const grad = new Float64Array(a.length)
  const trial = new Float32Array(a.length)
  let loss = fwd.lossGrad(a, goal, grad)
  let eta = lr
  for (let s = 0; s < steps && loss > 1e-10; s++) {
    for (let i = 0; i < a.length; i++) trial[i] = a[i]! - eta * grad[i]!
    project(space, trial)
    const l = fwd.lossGrad(trial, goal)
    if (l < loss) {
      a.set(trial)
      loss = fwd.lossGrad(a, goal, grad)
      eta *= 1.5
    } else eta *= 0.5
  }
  return loss
}

/** Refines every candidate toward `goal` and returns the one with the lowest loss. */
export function refineBest(space: Space, fwd: Forward, candidates: Float32Array[], goal: ArrayLike<number>, opts?: RefineOptions): Float32Array {
  let best = candidates[0]!
  let bestLoss = Infinity
  for (const c of candidates) {
    const l = refine(space, fwd, c, goal, opts)
    if (l < bestLoss) { bestLoss = l; best = c }
  }
  return best
}
