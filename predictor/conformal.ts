/**
 * Conformalised quantile regression (Pitot Sec. 3.5): per pool (number of co-runners) and per
 * miscoverage ε, every quantile head is shifted by the exact finite-sample order statistic of
 * its calibration residuals, and the head whose calibrated bound is tightest on the calibration
 * rows is kept. Everything in log space: bound = ŷ_h + margin.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { Rng } from '../ml/index.js'

/** The calibrated bound of one pool for one ε. */
export interface Calibration {
  eps: number
  head: number
  /** Added to the head's log prediction; +Infinity when the pool is too small for this ε. */
  margin: number
}

/**
 * Smallest rank k whose order statistic covers ≥ 1−ε of new rows with probability ≥ `confidence`
 * over the calibration draw (Vovk 2012, training-conditional conformal): the coverage of the
 * k-th of n is Beta(k, n+1−k), and P(coverage < 1−ε) = P(Binomial(n, 1−ε) ≥ k).
 */
export function confidentRank(n: number, eps: number, confidence: number): number {
  const p = 1 - eps
  const logPmf = new Float64Array(n + 1)
  logPmf[0] = n * Math.log(1 - p)
  for (let i = 1; i <= n; i++) logPmf[i] = logPmf[i - 1] + Math.log((n - i + 1) / i) + Math.log(p / (1 - p))
  let tail = 0
  for (let k = n; k >= 1; k--) {
    tail += Math.exp(logPmf[k])
    if (tail > 1 - confidence) return k + 1
  }
  return 1
}

/**
 * The ⌈(n+1)(1−ε)⌉-th smallest residual (1-based): with exchangeable rows, a new residual is
 * at most this value with probability ≥ 1−ε (on average over calibration draws). With
 * `confidence` the rank is raised so that coverage ≥ 1−ε holds for this calibration draw with
 * that probability. +Infinity when the rank exceeds n.
 */
export function conformalMargin(residuals: ArrayLike<number>, eps: number, confidence = 0): number {
  if (!(eps > 0 && eps < 1)) throw new InvalidInputError(`miscoverage eps must be in (0, 1), got ${eps}`)
  const n = residuals.length
  const k = Math.max(Math.ceil((n + 1) * (1 - eps)), confidence > 0 ? confidentRank(n, eps, confidence) : 0)
  if (k > n) return Infinity
  const sorted = Float64Array.from(residuals).sort()
  return sorted[k - 1]
}

/** Mean |C/C̃ − 1| of a bound (the paper's "tightness"), from log values. */
export function tightness(y: ArrayLike<number>, bound: ArrayLike<number>): number {
  let s = 0
  for (let r = 0; r < y.length; r++) s += Math.abs(Math.exp(y[r] - bound[r]) - 1)
  return y.length ? s / y.length : NaN
}

/** Margin and calibration tightness of each candidate head on rows `rows`. */
function headMargins(y: ArrayLike<number>, pred: ArrayLike<number>, nHeads: number, eps: number, choices: number[], rows: number[], confidence: number): { head: number; margin: number; tight: number }[] {
  const n = rows.length, res = new Float64Array(n), yy = Float64Array.from(rows, (r) => y[r]), bound = new Float64Array(n)
  return choices.map((h) => {
    rows.forEach((r, q) => { res[q] = y[r] - pred[r * nHeads + h] })
    const margin = conformalMargin(res, eps, confidence)
    rows.forEach((r, q) => { bound[q] = pred[r * nHeads + h] + margin })
    return { head: h, margin, tight: Number.isFinite(margin) ? tightness(yy, bound) : Infinity }
  })
}

/**
 * Calibrates one pool for `eps`. `pred` holds every head for each calibration row
 * ([rows × heads], log); `heads` restricts the choice (naive CQR passes only the ξ = 1−ε head).
 * Choosing the head on the rows that also set its margin makes the chosen bound slightly
 * optimistic: with the marginal rank (`confidence` 0) that showed as coverage a few tenths of a
 * percent under 1−ε, so the head is then chosen on half of the rows and its margin comes from
 * the other half. A `confidence` rank over-covers by far more than the choice's optimism (the
 * Pitot data, S = 0.5, 5 replicates, ε = 0.01, confidence 0.9: isolated coverage 99.23 % with
 * the halves, 99.20 % with every row), so then both use every row: twice the rows behind the
 * margin, and a tighter bound (16.17 → 15.87 %).
 */
export function calibrate(y: ArrayLike<number>, pred: ArrayLike<number>, nHeads: number, eps: number, heads?: number[], confidence = 0): Calibration {
  const n = y.length
  const choices = heads ?? Array.from({ length: nHeads }, (_, h) => h)
  const all = Array.from({ length: n }, (_, r) => r)
  // Rows arrive in random order (a random split), so alternate rows form two random halves.
  const split = !(confidence > 0) && choices.length > 1
  const pick = split ? all.filter((r) => r % 2 === 0) : all
  const best = headMargins(y, pred, nHeads, eps, choices, pick, confidence).reduce((a, b) => (b.tight < a.tight ? b : a))
  if (!split) return { eps, head: best.head, margin: best.margin }
  const [held] = headMargins(y, pred, nHeads, eps, [best.head], all.filter((r) => r % 2 === 1), confidence)
  return { eps, head: best.head, margin: held.margin }
}

/** The head whose quantile level is closest to 1−ε: the common ("naive") CQR choice. */
export function naiveHead(quantiles: number[], eps: number): number {
  let best = 0
  quantiles.forEach((q, h) => { if (Math.abs(q - (1 - eps)) < Math.abs(quantiles[best] - (1 - eps))) best = h })
  return best
}

/**
 * Margin for rows clustered by entity (cold-start pools: every row of an unseen device shares
 * that device's feature-extrapolation error, so rows are exchangeable only entity by entity).
 * The pooled ⌈(n+1)(1−ε)⌉ rank alone treats n rows as n independent draws and under-covers
 * when a few entities dominate; with `confidence` > 0 the margin is also at least the
 * `confidence` quantile, over a bootstrap of the entities, of the pooled margin, so coverage of
 * a new entity's rows is ≥ 1−ε with about that probability over which entities were held out.
 * +Infinity with fewer than two entities (nothing says how much entities differ).
 */
export function clusteredMargin(residuals: ArrayLike<number>, group: ArrayLike<number>, eps: number, confidence: number, rounds = 400, seed = 1): number {
  const exact = conformalMargin(residuals, eps)
  if (!(confidence > 0) || !Number.isFinite(exact)) return exact
  const n = residuals.length
  const ids = new Map<number, number>()
  const gid = Int32Array.from({ length: n }, (_, r) => { const g = group[r]; let i = ids.get(g); if (i === undefined) { i = ids.size; ids.set(g, i) } return i })
  const G = ids.size
  if (G < 2) return Infinity
  const order = Array.from({ length: n }, (_, r) => r).sort((a, b) => residuals[a] - residuals[b])
  const size = new Float64Array(G)
  for (let r = 0; r < n; r++) size[gid[r]]++
  const rng = new Rng(seed), times = new Float64Array(G), margins = new Float64Array(rounds)
  for (let b = 0; b < rounds; b++) {
    times.fill(0)
    for (let d = 0; d < G; d++) times[rng.int(G)]++
    let total = 0
    for (let g = 0; g < G; g++) total += times[g] * size[g]
    const k = Math.ceil((total + 1) * (1 - eps))
    margins[b] = Infinity
    if (k > total) continue
    let cum = 0
    for (const r of order) { cum += times[gid[r]]; if (cum >= k) { margins[b] = residuals[r]; break } }
  }
  margins.sort()
  return Math.max(exact, margins[Math.min(rounds - 1, Math.ceil(confidence * rounds) - 1)])
}

/**
 * Calibrates a cold-start pool: the head is the one tightest under the pooled rank (chosen on
 * all rows; the entity bootstrap's extra margin dwarfs the optimism of choosing on them), the
 * margin is {@link clusteredMargin} of that head's residuals.
 */
export function calibrateClustered(y: ArrayLike<number>, pred: ArrayLike<number>, nHeads: number, eps: number, group: ArrayLike<number>, confidence: number, heads?: number[]): Calibration {
  const all = Array.from({ length: y.length }, (_, r) => r)
  const choices = heads ?? Array.from({ length: nHeads }, (_, h) => h)
  const best = headMargins(y, pred, nHeads, eps, choices, all, 0).reduce((a, b) => (b.tight < a.tight ? b : a))
  const res = Float64Array.from(all, (r) => y[r] - pred[r * nHeads + best.head])
  return { eps, head: best.head, margin: clusteredMargin(res, group, eps, confidence) }
}
