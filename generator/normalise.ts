/**
 * Min-max normalisation of trace metrics over the training corpus (MimeSys §6): the model sees
 * every metric in [0, 1] and DTW is scaled by the same ranges.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'

/** Per-metric minimum and maximum, serialisable as JSON. */
export interface Ranges {
  metrics: string[]
  min: number[]
  max: number[]
}

/**
 * The ranges of a corpus of trace windows (raw units). A constant metric gets a range of 1 so
 * normalising never divides by zero.
 * @throws InvalidInputError for an empty corpus or a window of the wrong length.
 */
export function fitRanges(metrics: string[], windows: ArrayLike<number>[]): Ranges {
  if (windows.length === 0) throw new InvalidInputError('fitRanges: empty corpus')
  const min = metrics.map(() => Infinity)
  const max = metrics.map(() => -Infinity)
  for (const w of windows) {
    if (w.length !== metrics.length) throw new InvalidInputError(`fitRanges: window has ${w.length} values, expected ${metrics.length}`)
    for (let n = 0; n < metrics.length; n++) {
      const v = w[n]!
      if (!Number.isFinite(v)) continue
      if (v < min[n]!) min[n] = v
      if (v > max[n]!) max[n] = v
    }
  }
  for (let n = 0; n < metrics.length; n++) {
    if (!Number.isFinite(min[n]!)) { min[n] = 0; max[n] = 1 }
    if (max[n]! <= min[n]!) max[n] = min[n]! + 1
  }
  return { metrics: [...metrics], min, max }
}

/** Normalises one window into `out` (NaN stays NaN: a missing value). */
export function normalise(r: Ranges, raw: ArrayLike<number>, out = new Float32Array(r.metrics.length)): Float32Array {
  for (let n = 0; n < r.metrics.length; n++) out[n] = (raw[n]! - r.min[n]!) / (r.max[n]! - r.min[n]!)
  return out
}

/** Raw value of a normalised one for metric n. */
export function denormalise(r: Ranges, n: number, v: number): number {
  return r.min[n]! + v * (r.max[n]! - r.min[n]!)
}

/** Range (max − min) per metric name, the form normalisedDtw takes. */
export function spans(r: Ranges): Record<string, number> {
  return Object.fromEntries(r.metrics.map((m, n) => [m, r.max[n]! - r.min[n]!]))
}
