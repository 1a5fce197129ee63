/**
 * Novelty-guided collection (MimeSys §4.2.3): per-metric forests predict the trace a candidate
 * composition would produce; score = rarity (distance of the prediction to the nearest trace
 * already collected or already chosen) + 0.1·ln(1 + variance across trees); candidates are
 * chosen one at a time by that score (farthest-point selection), so a round spreads out
 * instead of piling onto one unexplored corner.
 * @module
 */
import { Forest, type ForestOptions } from './forest.js'

/** Forests fitted on (features → each normalised metric). */
export interface NoveltyModel {
  forests: Forest[]
  dim: number
}

/**
 * Fits one forest per metric.
 * @param x rows × dim features (composition plus previous-window summary)
 * @param y rows × N normalised metrics
 */
export function fitNovelty(x: Float32Array, y: Float32Array, dim: number, metrics: number, opts: ForestOptions = {}): NoveltyModel {
  const rows = x.length / dim
  const forests: Forest[] = []
  for (let n = 0; n < metrics; n++) {
    const yn = new Float32Array(rows)
    for (let i = 0; i < rows; i++) yn[i] = y[i * metrics + n]!
    forests.push(Forest.fit(x, yn, dim, { ...opts, seed: (opts.seed ?? 0) + n }))
  }
  return { forests, dim }
}

/**
 * Indices of the `choose` candidates to run next.
 * @param cand candidates × dim features
 * @param seen rows × N normalised traces already collected
 */
export function selectNovel(model: NoveltyModel, cand: Float32Array, seen: Float32Array, choose: number): number[] {
  const N = model.forests.length
  const rows = cand.length / model.dim
  const pred = new Float32Array(rows * N)
  const unc = new Float32Array(rows)
  model.forests.forEach((f, n) => {
    const { mean, variance } = f.predict(cand)
    for (let i = 0; i < rows; i++) { pred[i * N + n] = mean[i]!; unc[i] += variance[i]! }
  })
  // Distance of each candidate's prediction to its nearest collected trace.
  const rarity = new Float64Array(rows).fill(Infinity)
  const seenRows = seen.length / N
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < seenRows; j++) rarity[i] = Math.min(rarity[i]!, dist(pred, i, seen, j, N))
  }
  const chosen: number[] = []
  const taken = new Uint8Array(rows)
  while (chosen.length < Math.min(choose, rows)) {
    let best = -1
    let bestScore = -Infinity
    for (let i = 0; i < rows; i++) {
      if (taken[i]) continue
      const r = Number.isFinite(rarity[i]!) ? rarity[i]! : 1
      const score = r + 0.1 * Math.log1p(unc[i]!)
      if (score > bestScore) { bestScore = score; best = i }
    }
    taken[best] = 1
    chosen.push(best)
    for (let i = 0; i < rows; i++) if (!taken[i]) rarity[i] = Math.min(rarity[i]!, dist(pred, i, pred, best, N))
  }
  return chosen
}

function dist(a: Float32Array, i: number, b: Float32Array, j: number, n: number): number {
  let s = 0
  for (let k = 0; k < n; k++) { const d = a[i * n + k]! - b[j * n + k]!; s += d * d }
  return Math.sqrt(s)
}
