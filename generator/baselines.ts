/**
 * The MimeSys baselines, window by window: search (the training composition whose trace is
 * nearest the target), interpolate (inverse-distance blend of the k = 5 nearest, as in the
 * authors' code) and single (one CPU stressor with sleep calibrated to per-core utilisation).
 * Distances are Euclidean over the normalised metrics the target has (NaN = missing, skipped).
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { normalise, type Ranges } from './normalise.js'
import { compDim, project } from './space.js'
import type { Sample, Space } from './types.js'

/** Generates one window's composition from the normalised target window. */
export type WindowPolicy = (target: Float32Array) => Float32Array

/** The k nearest samples' indices and distances to `target`. */
function nearest(obs: Float32Array[], target: Float32Array, k: number): { i: number; d: number }[] {
  const best: { i: number; d: number }[] = []
  for (let i = 0; i < obs.length; i++) {
    let s = 0
    for (let n = 0; n < target.length; n++) {
      if (Number.isNaN(target[n]!)) continue
      const d = obs[i]![n]! - target[n]!
      s += d * d
    }
    const d = Math.sqrt(s)
    if (best.length < k || d < best[best.length - 1]!.d) {
      best.push({ i, d })
      best.sort((a, b) => a.d - b.d)
      if (best.length > k) best.pop()
    }
  }
  return best
}

/** Search and interpolation over a collected dataset. */
export function neighbourPolicies(space: Space, ranges: Ranges, samples: Sample[], k = 5): { search: WindowPolicy; interpolate: WindowPolicy } {
  if (samples.length === 0) throw new InvalidInputError('baselines need a non-empty dataset')
  const obs = samples.map((s) => normalise(ranges, s.obs))
  return {
    search: (t) => Float32Array.from(samples[nearest(obs, t, 1)[0]!.i]!.comp),
    interpolate: (t) => {
      const out = new Float32Array(compDim(space))
      let wsum = 0
      for (const { i, d } of nearest(obs, t, k)) {
        const w = 1 / (d + 1e-6)
        wsum += w
        samples[i]!.comp.forEach((v, j) => { out[j] += w * v })
      }
      for (let j = 0; j < out.length; j++) out[j] = out[j]! / wsum
      return project(space, out)
    },
  }
}

/** util_k ≈ c0 + c1·busy_k, fitted by least squares over the dataset (busy = CPU fractions on thread k). */
export interface Calibration { stressor: number; c0: number; c1: number }

/**
 * Calibrates the single-stressor baseline: which CPU stressor, and the line from a thread's
 * busy fraction to its core's utilisation (in normalised units).
 * @throws InvalidInputError when the space has no CPU stressor or no cpu_util metric.
 */
export function calibrateSingle(space: Space, ranges: Ranges, samples: Sample[]): Calibration {
  const stressor = space.disk.findIndex((d) => !d)
  if (stressor < 0) throw new InvalidInputError('single baseline: the space has no CPU stressor')
  const K = space.threads
  let n = 0; let sx = 0; let sy = 0; let sxx = 0; let sxy = 0
  for (const s of samples) {
    const o = normalise(ranges, s.obs)
    for (let k = 0; k < K; k++) {
      const m = space.metrics.indexOf(`cpu_util_${k}`)
      if (m < 0) continue
      let busy = 0
      space.disk.forEach((d, j) => { if (!d) busy += s.comp[j * K + k]! })
      n++; sx += busy; sy += o[m]!; sxx += busy * busy; sxy += busy * o[m]!
    }
  }
  if (n === 0) throw new InvalidInputError('single baseline: the dataset has no cpu_util_<k> metric')
  const c1 = (n * sxy - sx * sy) / Math.max(1e-9, n * sxx - sx * sx)
  return { stressor, c0: (sy - c1 * sx) / n, c1: c1 > 1e-6 ? c1 : 1 }
}

/** The single-stressor policy: thread k runs the calibrated stressor for busy_k, sleeps the rest. */
export function singlePolicy(space: Space, cal: Calibration): WindowPolicy {
  const K = space.threads
  return (t) => {
    const out = new Float32Array(compDim(space))
    for (let k = 0; k < K; k++) {
      const u = t[space.metrics.indexOf(`cpu_util_${k}`)]
      const busy = u === undefined || Number.isNaN(u) ? 0 : (u - cal.c0) / cal.c1
      out[cal.stressor * K + k] = Math.min(1, Math.max(0, busy))
    }
    return out
  }
}

/**
 * A forward model composition → normalised trace window: the mean trace of the k training
 * samples whose compositions are nearest (Euclidean over the fractions). Best-of-n scored with
 * it before forward.ts; bench/generator-forward.ts keeps it as the reference.
 */
export function forwardModel(space: Space, ranges: Ranges, samples: Sample[], k = 5): (comp: Float32Array) => Float32Array {
  const comps = samples.map((s) => s.comp)
  const obs = samples.map((s) => normalise(ranges, s.obs))
  return (comp) => {
    const out = new Float32Array(space.metrics.length)
    const near = nearest(comps, comp, k)
    for (const { i } of near) obs[i]!.forEach((v, n) => { out[n] += v / near.length })
    return out
  }
}

/** The candidate whose predicted trace is nearest (L1 over the metrics present) to the target. */
export function pickClosest(candidates: Float32Array[], predict: (c: Float32Array) => Float32Array, target: Float32Array): Float32Array {
  let best = candidates[0]!
  let bestD = Infinity
  for (const c of candidates) {
    const p = predict(c)
    let d = 0
    for (let n = 0; n < target.length; n++) if (!Number.isNaN(target[n]!)) d += Math.abs(p[n]! - target[n]!)
    if (d < bestD) { bestD = d; best = c }
  }
  return best
}
