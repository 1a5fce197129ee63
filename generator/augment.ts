/**
 * Training-set augmentation with the forward model (beyond the paper): compositions the device
 * never ran, labelled with the trace window the forward model predicts for them. A collected
 * window's trace carries per-window noise (±0.04-0.10 CPU at 250 ms on a loaded machine), so a
 * model of p(a | o) fitted to collected pairs alone learns that noise as spread of a around the
 * target; noise-free labels, a hundred times more of them, make a single sample precise.
 * @module
 */
import type { Rng } from '../ml/rng.js'
import type { Forward } from './forward.js'
import { denormalise, type Ranges } from './normalise.js'
import { project, randomComposition } from './space.js'
import type { Sample, Space } from './types.js'

/**
 * `n` synthetic samples: half fresh random compositions, half collected ones with every active
 * fraction scaled by a factor in [0.6, 1.4] (the neighbourhood of what was run, which is where
 * the forward model is trusted most). Labels are clamped to the collected ranges, so the
 * normalisation and DTW scale do not move. `prev` chains the synthetic windows, as collection does.
 */
export function synthesise(space: Space, ranges: Ranges, forward: Forward, collected: Sample[], n: number, rng: Rng): Sample[] {
  const out: Sample[] = []
  const pred = new Float32Array(space.metrics.length)
  let prev = collected[0]?.comp ?? new Float32Array(space.stressors.length * space.threads)
  for (let i = 0; i < n; i++) {
    let comp: Float32Array
    if (i % 2 === 0 && collected.length > 0) {
      comp = Float32Array.from(collected[rng.int(collected.length)]!.comp)
      for (let j = 0; j < comp.length; j++) if (comp[j]! > 0) comp[j] = comp[j]! * (0.6 + 0.8 * rng.next())
      project(space, comp)
    } else comp = randomComposition(space, rng)
    forward.predict(comp, pred)
    const obs = new Float32Array(pred.length)
    for (let m = 0; m < pred.length; m++) obs[m] = denormalise(ranges, m, Math.min(1, Math.max(0, pred[m]!)))
    out.push({ prev, comp, obs })
    prev = comp
  }
  return out
}
