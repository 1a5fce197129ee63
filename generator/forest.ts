/**
 * A compact regression random forest (CART, variance reduction) over quantile-binned features,
 * used by novelty-guided collection to predict a metric from a composition and to say how unsure
 * it is (variance across trees). ml-random-forest took 60 s to fit 80 depth-12 trees on 1 000
 * rows × 24 features; binning to 32 thresholds per feature makes a node's split search one pass
 * over its rows, so a forest fits in well under a second.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { Rng } from '../ml/rng.js'

export interface ForestOptions {
  trees?: number
  maxDepth?: number
  minLeaf?: number
  /** Fraction of features tried at each split. */
  featureFraction?: number
  bins?: number
  seed?: number
}

interface Tree {
  feature: Int32Array
  threshold: Float32Array
  left: Int32Array
  right: Int32Array
  value: Float32Array
}

/** A fitted forest; `predict` gives the mean and the variance across trees. */
export class Forest {
  private constructor(private readonly trees: Tree[], readonly dim: number) {}

  /**
   * Fits on `x` (rows × dim, row-major) against `y` (rows).
   * @throws InvalidInputError when shapes disagree or there are no rows.
   */
  static fit(x: Float32Array, y: Float32Array, dim: number,
    { trees = 80, maxDepth = 12, minLeaf = 3, featureFraction = 0.5, bins = 32, seed = 0 }: ForestOptions = {}): Forest {
    const rows = y.length
    if (rows === 0 || x.length !== rows * dim) throw new InvalidInputError(`Forest.fit: x has ${x.length} values, expected ${rows}×${dim}`)
    const edges = quantileEdges(x, rows, dim, bins)
    const binned = new Uint8Array(rows * dim)
    for (let i = 0; i < rows; i++) for (let f = 0; f < dim; f++) binned[i * dim + f] = binOf(edges[f]!, x[i * dim + f]!)
    const rng = new Rng(seed)
    const nf = Math.max(1, Math.round(featureFraction * dim))
    const out: Tree[] = []
    for (let t = 0; t < trees; t++) {
      const idx = new Uint32Array(rows)
      for (let i = 0; i < rows; i++) idx[i] = rng.int(rows)
      out.push(buildTree({ binned, y, dim, edges, bins, nf, maxDepth, minLeaf, rng }, idx))
    }
    return new Forest(out, dim)
  }

  /** Mean and variance across trees for each row of `x` (rows × dim). */
  predict(x: Float32Array): { mean: Float32Array; variance: Float32Array } {
    const rows = x.length / this.dim
    const mean = new Float32Array(rows)
    const variance = new Float32Array(rows)
    for (let i = 0; i < rows; i++) {
      let s = 0
      let s2 = 0
      for (const tree of this.trees) {
        let node = 0
        while (tree.feature[node]! >= 0) {
          node = x[i * this.dim + tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!
        }
        const v = tree.value[node]!
        s += v
        s2 += v * v
      }
      const m = s / this.trees.length
      mean[i] = m
      variance[i] = Math.max(0, s2 / this.trees.length - m * m)
    }
    return { mean, variance }
  }
}

interface BuildContext {
  binned: Uint8Array; y: Float32Array; dim: number; edges: Float32Array[]; bins: number
  nf: number; maxDepth: number; minLeaf: number; rng: Rng
}

function buildTree(c: BuildContext, idx: Uint32Array): Tree {
  const feature: number[] = []
  const threshold: number[] = []
  const left: number[] = []
  const right: number[] = []
  const value: number[] = []
  const cnt = new Float64Array(c.bins)
  const sum = new Float64Array(c.bins)
  const features = new Uint32Array(c.dim).map((_, i) => i)
  const grow = (rows: Uint32Array, depth: number): number => {
    const node = value.length
    let total = 0
    for (const i of rows) total += c.y[i]!
    feature.push(-1); threshold.push(0); left.push(-1); right.push(-1); value.push(total / rows.length)
    if (depth >= c.maxDepth || rows.length < 2 * c.minLeaf) return node
    // Best split maximises Σ_left²/n_left + Σ_right²/n_right (equivalent to variance reduction).
    let best = total * total / rows.length + 1e-9
    let bestF = -1
    let bestB = -1
    c.rng.shuffle(features)
    for (let fi = 0; fi < c.nf; fi++) {
      const f = features[fi]!
      cnt.fill(0); sum.fill(0)
      for (const i of rows) { const b = c.binned[i * c.dim + f]!; cnt[b]++; sum[b] += c.y[i]! }
      let nl = 0
      let sl = 0
      for (let b = 0; b < c.edges[f]!.length; b++) {
        nl += cnt[b]!; sl += sum[b]!
        const nr = rows.length - nl
        if (nl < c.minLeaf || nr < c.minLeaf) continue
        const score = sl * sl / nl + (total - sl) * (total - sl) / nr
        if (score > best) { best = score; bestF = f; bestB = b }
      }
    }
    if (bestF < 0) return node
    const l = rows.filter((i) => c.binned[i * c.dim + bestF]! <= bestB)
    const r = rows.filter((i) => c.binned[i * c.dim + bestF]! > bestB)
    feature[node] = bestF
    threshold[node] = c.edges[bestF]![bestB]!
    left[node] = grow(l, depth + 1)
    right[node] = grow(r, depth + 1)
    return node
  }
  grow(idx, 0)
  return {
    feature: Int32Array.from(feature), threshold: Float32Array.from(threshold),
    left: Int32Array.from(left), right: Int32Array.from(right), value: Float32Array.from(value),
  }
}

/** Up to bins−1 distinct thresholds per feature at its quantiles; bin b holds x ≤ edges[b]. */
function quantileEdges(x: Float32Array, rows: number, dim: number, bins: number): Float32Array[] {
  const col = new Float32Array(rows)
  const out: Float32Array[] = []
  for (let f = 0; f < dim; f++) {
    for (let i = 0; i < rows; i++) col[i] = x[i * dim + f]!
    col.sort()
    const e: number[] = []
    for (let q = 1; q < bins; q++) {
      const v = col[Math.min(rows - 1, Math.floor((q * rows) / bins))]!
      if (e.length === 0 || v > e[e.length - 1]!) e.push(v)
    }
    // The largest value needs no threshold: everything is ≤ it.
    if (e.length > 0 && e[e.length - 1]! >= col[rows - 1]!) e.pop()
    out.push(Float32Array.from(e))
  }
  return out
}

function binOf(edges: Float32Array, v: number): number {
  let lo = 0
  let hi = edges.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (v <= edges[mid]!) hi = mid
    else lo = mid + 1
  }
  return lo
}
