/**
 * The built-in online runtime model: log-runtime = workload offset + platform offset +
 * platform interference slope × ln(1 + co-runners), refitted (warm-started alternating least
 * squares over a sliding window) as observations arrive, with split-conformal bounds from the residuals each observation had before the model learned
 * from it (online conformal calibration). Residuals are pooled by co-runner count and by how
 * much the model knew of the row's device and workload when it predicted it: the first
 * predictions for a barely known pair miss by far more than later ones, and pooling them
 * together would keep every later bound as wide as those first guesses.
 * A never-seen workload starts from a regression of known workload offsets on its opcode
 * features' total (ln instruction count); a never-seen device from the mean device offset.
 * Use the Pitot predictor (predictor/) where a trained model exists; this model needs no
 * training data and is what a fresh fleet starts with.
 * @module
 */
import { conformalMargin } from '../predictor/index.js'
import type { Observation, RuntimeModel, ScoreRows, Scores } from './types.js'

export interface OnlineModelOptions {
  /** Residuals kept per pool (sliding window). */
  window?: number
  /** Margin (log space) used while a pool has too few residuals for a finite quantile. */
  uncalibratedMargin?: number
  /** Prior ln-slowdown per ln(1 + co-runners): 1 = a CPU-bound fair share. */
  priorSlope?: number
}

/**
 * Experience of a row: min(observations of its device, observations of its workload) when it
 * was predicted, in levels 0 (cold: one of them never observed), 1 (young: fewer than WARM_AT),
 * 2 (warm). Levels 1 and 2 have an isolated and a with-co-runners pool each.
 */
const WARM_AT = 3
const LEVELS = 3
const pool = (level: number, arity: number): number => (level === 0 ? 0 : 2 * level - 1 + Math.min(arity, 1))
const levelOf = (experience: number): number => (experience === 0 ? 0 : experience < WARM_AT ? 1 : 2)
const SWEEPS = 3
const SLOPE_PRIOR_WEIGHT = 1
/** Observations retained for refits (a sliding window, so drift is forgotten). */
const MAX_OBS = 20_000

interface Resolved { p: Float64Array; w: Float64Array; slope: Float64Array; pSeen: Uint32Array; wSeen: Uint32Array }

/** Whether n calibration residuals give a finite split-conformal quantile at level 1 - eps. */
const enough = (n: number, eps: number): boolean => Math.ceil((n + 1) * (1 - eps)) <= n

export class OnlineModel implements RuntimeModel {
  #pIndex = new Map<string, number>()
  #wIndex = new Map<string, number>()
  #pOff: number[] = []
  #pSlope: number[] = []
  #wOff: number[] = []
  #wSize: number[] = []
  #residuals: number[][] = Array.from({ length: pool(LEVELS - 1, 1) + 1 }, () => [])
  #margins = new Map<string, number>()
  #obs = { p: [] as number[], w: [] as number[], k: [] as number[], y: [] as number[] }
  #cache: Resolved | undefined
  /** Observations of each platform and workload so far (the model's experience of them). */
  #pSeen: number[] = []
  #wSeen: number[] = []
  readonly #window: number
  readonly #uncalibrated: number
  readonly #priorSlope: number

  constructor({ window = 400, uncalibratedMargin = Math.log(4), priorSlope = 1 }: OnlineModelOptions = {}) {
    this.#window = window
    this.#uncalibrated = uncalibratedMargin
    this.#priorSlope = priorSlope
  }

  platformId(key: string): number {
    let i = this.#pIndex.get(key)
    if (i === undefined) {
      i = this.#pOff.length
      this.#pIndex.set(key, i)
      this.#pOff.push(NaN); this.#pSlope.push(this.#priorSlope); this.#pSeen.push(0)
    }
    return i
  }

  workloadId(key: string, features?: ArrayLike<number>): number {
    let i = this.#wIndex.get(key)
    if (i === undefined) {
      i = this.#wOff.length
      this.#wIndex.set(key, i)
      this.#wOff.push(NaN); this.#wSeen.push(0)
      this.#wSize.push(NaN)
    }
    if (features) this.workloadFeatures(i, features)
    return i
  }

  workloadFeatures(id: number, features: ArrayLike<number>): void {
    // ln(total instructions) from the ln(1 + count) features: the workload's size.
    let total = 0
    for (let f = 0; f < features.length; f++) total += Math.expm1(features[f]!)
    this.#wSize[id] = Math.log1p(total)
    this.#cache = undefined
  }

  #platformOffset(p: number): number {
    const v = this.#pOff[p]!
    return Number.isNaN(v) ? this.#meanPlatformOffset() : v
  }

  #meanPlatformOffset(): number {
    let s = 0, n = 0
    for (const o of this.#pOff) if (!Number.isNaN(o)) { s += o; n++ }
    return n ? s / n : 0
  }

  /** Unseen workload: least-squares line of known offsets on ln size (or their mean). */
  #workloadOffset(w: number): number {
    const v = this.#wOff[w]!
    if (!Number.isNaN(v)) return v
    let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0
    for (let k = 0; k < this.#wOff.length; k++) {
      const y = this.#wOff[k]!
      if (Number.isNaN(y) || Number.isNaN(this.#wSize[k]!)) continue
      const x = this.#wSize[k]!
      n++; sx += x; sy += y; sxx += x * x; sxy += x * y
    }
    if (n === 0) return this.#meanWorkloadOffset()
    const varX = sxx - (sx * sx) / n
    const slope = n > 1 && varX > 1e-9 ? (sxy - (sx * sy) / n) / varX : 0
    const size = this.#wSize[w]!
    return sy / n + (Number.isNaN(size) ? 0 : slope * (size - sx / n))
  }

  /** Mean of known workload offsets; ln 100 ms (a neutral guess) before any observation. */
  #meanWorkloadOffset(): number {
    let s = 0, n = 0
    for (const o of this.#wOff) if (!Number.isNaN(o)) { s += o; n++ }
    return n ? s / n : Math.log(100)
  }

  #logPredict(p: number, w: number, k: number): number {
    return this.#workloadOffset(w) + this.#platformOffset(p) + this.#pSlope[p]! * Math.log1p(k)
  }

  #margin(level: number, arity: number, eps: number): number {
    const key = `${level}:${Math.min(arity, 1)}:${eps}`
    let m = this.#margins.get(key)
    if (m === undefined) {
      // A pool too small for a finite quantile borrows the other arity's residuals of its level
      // (the isolated pool fills first; co-location is rare on a lightly loaded fleet), then
      // falls back a level: less experience means larger residuals, so the bound only widens.
      // With too few residuals even at level 0, the fixed margin.
      m = this.#uncalibrated
      for (let l = level; l >= 0; l--) {
        const own = this.#residuals[pool(l, arity)]!
        const both = l === 0 ? own : [...this.#residuals[pool(l, 0)]!, ...this.#residuals[pool(l, 1)]!]
        if (enough(own.length, eps)) { m = conformalMargin(own, eps); break }
        if (enough(both.length, eps)) { m = conformalMargin(both, eps); break }
      }
      this.#margins.set(key, m)
    }
    return m
  }

  calibrated(arity: number, eps: number): boolean {
    return enough(this.#residuals[pool(LEVELS - 1, arity)]!.length, eps)
  }

  /** Offsets with fallbacks resolved, rebuilt after learning or new entities (hot path of score). */
  #resolved(): Resolved {
    const c = this.#cache
    if (c && c.p.length === this.#pOff.length && c.w.length === this.#wOff.length) return c
    const mean = this.#meanPlatformOffset()
    const p = Float64Array.from(this.#pOff, (v) => (Number.isNaN(v) ? mean : v))
    const w = Float64Array.from(this.#wOff, (_, i) => this.#workloadOffset(i))
    const pSeen = Uint32Array.from(this.#pSeen), wSeen = Uint32Array.from(this.#wSeen)
    return (this.#cache = { p, w, slope: Float64Array.from(this.#pSlope), pSeen, wSeen })
  }

  score(rows: ScoreRows, eps: number): Scores {
    const runtimeMs = new Float64Array(rows.n)
    const boundMs = new Float64Array(rows.n)
    // Placement's hot path (tens of thousands of rows): margins in one flat table, [level][arity].
    const margins = Float64Array.from({ length: 2 * LEVELS }, (_, i) => this.#margin(i >> 1, i & 1, eps))
    const { p, w, slope, pSeen, wSeen } = this.#resolved()
    for (let r = 0; r < rows.n; r++) {
      const k = rows.offsets[r + 1]! - rows.offsets[r]!
      const pi = rows.platform[r]!, wi = rows.workload[r]!
      const y = w[wi]! + p[pi]! + slope[pi]! * Math.log1p(k)
      runtimeMs[r] = Math.exp(y)
      const seenP = pSeen[pi]!, seenW = wSeen[wi]!
      boundMs[r] = Math.exp(y + margins[2 * levelOf(seenP < seenW ? seenP : seenW) + (k > 0 ? 1 : 0)]!)
    }
    return { runtimeMs, boundMs }
  }

  observe(obs: Observation[]): void {
    // Learn in chunks that grow with what is already known (1, 1, ..., then a quarter of the
    // retained rows): each row's calibration residual comes from a model that has not seen it,
    // as online conformal prediction needs, at O(log n) refits for a large batch.
    for (let i = 0; i < obs.length;) {
      const size = Math.max(1, Math.min(obs.length - i, Math.floor(this.#obs.y.length / 4)))
      for (const o of obs.slice(i, i + size)) {
        const y = Math.log(Math.max(o.runtimeMs, 1e-3))
        const k = o.corunners.length
        const level = levelOf(Math.min(this.#pSeen[o.platform]!, this.#wSeen[o.workload]!))
        const res = this.#residuals[pool(level, k)]!
        res.push(y - this.#logPredict(o.platform, o.workload, k))
        this.#pSeen[o.platform]!++
        this.#wSeen[o.workload]!++
        if (res.length > this.#window) res.shift()
        const ob = this.#obs
        ob.p.push(o.platform); ob.w.push(o.workload); ob.k.push(k); ob.y.push(y)
        if (ob.y.length > MAX_OBS) { ob.p.shift(); ob.w.shift(); ob.k.shift(); ob.y.shift() }
      }
      this.#refit()
      i += size
    }
    this.#margins.clear()
    this.#cache = undefined
  }

  /**
   * Warm-started refit: a few alternating least-squares sweeps over the retained observations,
   * starting from the current offsets (workload means, then platform means, then per-platform
   * interference slopes shrunk toward the prior).
   */
  #refit(): void {
    const { p: pl, w: wl, k: kl, y: yl } = this.#obs
    const n = yl.length
    for (let sweep = 0; sweep < SWEEPS; sweep++) {
      const wSum = new Float64Array(this.#wOff.length), wCnt = new Float64Array(this.#wOff.length)
      for (let i = 0; i < n; i++) {
        const p = pl[i]!
        wSum[wl[i]!] += yl[i]! - this.#platformOffset(p) - this.#pSlope[p]! * Math.log1p(kl[i]!)
        wCnt[wl[i]!]++
      }
      wCnt.forEach((c, w) => { if (c > 0) this.#wOff[w] = wSum[w]! / c })
      const pSum = new Float64Array(this.#pOff.length), pCnt = new Float64Array(this.#pOff.length)
      for (let i = 0; i < n; i++) {
        const p = pl[i]!
        pSum[p] += yl[i]! - this.#wOff[wl[i]!]! - this.#pSlope[p]! * Math.log1p(kl[i]!)
        pCnt[p]++
      }
      pCnt.forEach((c, p) => { if (c > 0) this.#pOff[p] = pSum[p]! / c })
      const rl = new Float64Array(this.#pOff.length), ll = new Float64Array(this.#pOff.length)
      for (let i = 0; i < n; i++) {
        if (kl[i] === 0) continue
        const p = pl[i]!, l = Math.log1p(kl[i]!)
        rl[p] += (yl[i]! - this.#wOff[wl[i]!]! - this.#pOff[p]!) * l
        ll[p] += l * l
      }
      ll.forEach((q, p) => { if (q > 0) this.#pSlope[p] = (rl[p]! + SLOPE_PRIOR_WEIGHT * this.#priorSlope) / (q + SLOPE_PRIOR_WEIGHT) })
    }
  }
}
