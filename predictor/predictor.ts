/**
 * The runtime face of a trained model, for the CLI and the orchestrator: point predictions and
 * calibrated bounds for rows given by index, name or raw features, batched candidate scoring,
 * and warm-started updates from new observations.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { applyRidge, rowKind, type ColdKind, type SeenMasks } from './cold-start.js'
import { calibrate, calibrateClustered, type Calibration } from './conformal.js'
import { poolCalibration } from './evaluate.js'
import { coldConfidence, seenMasks } from './fit.js'
import { magnitudeTable, predictRows, scoreWorkload, type Embeddings } from './heads.js'
import type { Tower } from './model.js'
import { loadModel, loadStoredRows, type StoredModel, type StoredRows } from './store.js'
import type { EntityTable, Observations } from './types.js'

/** An entity by index, by name, or (never seen) by its raw side-information vector. */
export type EntityRef = number | string | { features: ArrayLike<number>; name?: string }

export interface PredictRow { platform: EntityRef; workload: EntityRef; corunners?: EntityRef[] }

/** Runtimes in µs (same unit as the training data's `t`). */
export interface Scores { runtime: Float64Array; bound: Float64Array }

/** Calibrations a row can take: seen entities (null), then each kind of unseen one. */
const CAL_KINDS: (ColdKind | null)[] = [null, 'platform', 'workload', 'corunner', 'both']

export class Predictor {
  readonly stored: StoredModel
  readonly dir: string | undefined
  #e: Embeddings
  #rows: StoredRows | undefined
  /** Per-head co-runner magnitude tables for candidate scoring (see magnitudeTable). */
  #mags = new Map<number, Float32Array>()
  /** Entities the model trained on; anything else (or added by features) gets cold margins. */
  #seen: SeenMasks = { platform: [], workload: [] }

  constructor(stored: StoredModel, dir?: string) {
    this.stored = stored
    this.dir = dir
    this.#e = this.refreshEmbeddings()
  }

  /**
   * Recomputes the entity tables from the current weights (after training, loading or an
   * update), entities added by their features included.
   */
  refreshEmbeddings(): Embeddings {
    const m = this.stored.model, e = m.embed()
    const P = m.bx.value.length, W = m.by.value.length
    this.#seen = seenMasks(this.stored.coldStart, P, W)
    this.#e = { work: e.work.slice(), plat: e.plat.slice(), bx: e.bx.slice(), by: e.by.slice() }
    for (const [kind, table, known] of [['platform', this.platforms, P], ['workload', this.workloads, W]] as const) {
      for (let i = known; i < table.count; i++) this.#append(kind, table.features.subarray(i * table.dim, (i + 1) * table.dim))
    }
    this.#mags.clear()
    return this.#e
  }

  /** The rows the model was trained and calibrated on (read from the model directory once). */
  storedRows(): StoredRows {
    if (!this.#rows) {
      if (!this.dir) throw new InvalidInputError('this predictor has no model directory with stored rows')
      this.#rows = loadStoredRows(this.dir, this.platforms.count, this.workloads.count)
    }
    return this.#rows
  }

  /** Replaces the stored rows in memory (after an update merged new ones). */
  setStoredRows(rows: StoredRows): void { this.#rows = rows }

  get platforms(): EntityTable { return this.stored.platforms }
  get workloads(): EntityTable { return this.stored.workloads }

  /** Index of a platform, adding it from its features if it is new. */
  platform(ref: EntityRef): number { return this.#resolve(ref, 'platform') }
  /** Index of a workload, adding it from its features if it is new. */
  workload(ref: EntityRef): number { return this.#resolve(ref, 'workload') }

  #resolve(ref: EntityRef, kind: 'platform' | 'workload'): number {
    const table = kind === 'platform' ? this.platforms : this.workloads
    if (typeof ref === 'number') {
      if (!Number.isInteger(ref) || ref < 0 || ref >= table.count) throw new InvalidInputError(`unknown ${kind} index ${ref} (valid 0..${table.count - 1})`)
      return ref
    }
    if (typeof ref === 'string') {
      const i = table.names.indexOf(ref)
      if (i >= 0) return i
      if (/^\d+$/.test(ref)) return this.#resolve(Number(ref), kind)
      throw new InvalidInputError(`unknown ${kind} '${ref}'`)
    }
    return this.#addEntity(kind, ref.features, ref.name)
  }

  /** Appends a never-seen entity to the table (its name and raw features) and its embedding row. */
  #addEntity(kind: 'platform' | 'workload', raw: ArrayLike<number>, name?: string): number {
    const table = kind === 'platform' ? this.stored.platforms : this.stored.workloads
    if (raw.length !== table.dim || !Array.from(raw).every(Number.isFinite)) {
      throw new InvalidInputError(`${kind} features: need ${table.dim} finite numbers, got ${raw.length}`)
    }
    this.#append(kind, raw)
    const grown = new Float32Array(table.features.length + table.dim)
    grown.set(table.features)
    grown.set(Array.from(raw), table.features.length)
    table.names.push(name ?? `new-${kind}-${table.count}`)
    table.features = grown
    this.#mags.clear()
    return table.count++
  }

  /** Appends an entity's embedding row: tower embedding from its features, mean φ, ridge baseline. */
  #append(kind: 'platform' | 'workload', raw: ArrayLike<number>): void {
    const s = this.stored, m = s.model
    const tower: Tower = kind === 'platform' ? m.plat : m.work
    const scaler = m.scalers[kind]
    const x = Float32Array.from(raw, (v, f) => (v - scaler.mean[f]) / scaler.std[f])
    const phi = kind === 'platform' ? s.coldStart.platformLearned : s.coldStart.workloadLearned
    const input = new Float32Array(tower.inDim)
    if (tower.sideDim) input.set(x)
    input.set(phi, tower.sideDim)
    const emb = tower.mlp.forward(input, 1).slice()
    const base = applyRidge(kind === 'platform' ? s.coldStart.platform : s.coldStart.workload, x, 0)
    const grow = (a: Float32Array, extra: ArrayLike<number>) => { const o = new Float32Array(a.length + extra.length); o.set(a); o.set(extra, a.length); return o }
    if (kind === 'platform') { this.#e.plat = grow(this.#e.plat, emb); this.#e.bx = grow(this.#e.bx, [base]) }
    else { this.#e.work = grow(this.#e.work, emb); this.#e.by = grow(this.#e.by, [base]) }
  }

  /** Groups rows by number of co-runners (the model's pools), remembering their order. */
  #toPools(rows: PredictRow[]): { pools: Map<number, { obs: Observations; at: number[] }> } {
    const pools = new Map<number, { obs: Observations; at: number[] }>()
    const byArity = new Map<number, number[]>()
    rows.forEach((r, n) => { const a = r.corunners?.length ?? 0; byArity.set(a, [...(byArity.get(a) ?? []), n]) })
    for (const [a, at] of byArity) {
      const obs: Observations = { arity: a, platform: new Int32Array(at.length), workload: new Int32Array(at.length), corunners: new Int32Array(at.length * a), logT: new Float64Array(at.length) }
      at.forEach((n, r) => {
        obs.platform[r] = this.platform(rows[n].platform)
        obs.workload[r] = this.workload(rows[n].workload)
        rows[n].corunners?.forEach((k, q) => { obs.corunners[r * a + q] = this.workload(k) })
      })
      pools.set(a, { obs, at })
    }
    return { pools }
  }

  /** Which calibration pool row r of `obs` needs: null = seen entities, else the kind of unseen one. */
  kind(obs: Observations, r: number): ColdKind | null { return rowKind(obs, r, this.#seen) }

  /**
   * The calibration for pool `arity` and `eps` (of the cold pool `kind` for rows touching an
   * entity the model never trained on), computing it from the stored rows if ε is new.
   */
  calibration(arity: number, eps: number, kind: ColdKind | null = null): Calibration {
    const cold = this.stored.coldStart.calibration
    if (kind !== null && cold) return this.#coldCalibration(cold[kind], kind, arity, eps)
    const cs = poolCalibration(this.stored.calibration, arity)
    const c = cs.find((x) => Math.abs(x.eps - eps) < 1e-12)
    if (c) return c
    const cal = this.storedRows().cal
    const a = Math.min(arity, cal.length - 1), obs = cal[a]
    const idx = Int32Array.from({ length: obs.logT.length }, (_, r) => r)
    const pred = new Float32Array(idx.length * this.stored.model.dims.heads)
    predictRows(this.#e, this.stored.model.dims, obs, idx, pred)
    const fresh = calibrate(obs.logT, pred, this.stored.model.dims.heads, eps, undefined, this.stored.model.config.coverageConfidence ?? 0)
    cs.push(fresh)
    return fresh
  }

  /** A cold pool's calibration; a kind the probe had no rows of has no finite bound. */
  #coldCalibration(byArity: Calibration[][] | undefined, kind: ColdKind, arity: number, eps: number): Calibration {
    if (!byArity?.length) return { eps, head: 0, margin: Infinity }
    const cs = poolCalibration(byArity, arity)
    const c = cs.find((x) => Math.abs(x.eps - eps) < 1e-12)
    if (c) return c
    const pools = this.storedRows().cold?.[kind]
    const rows = pools?.[Math.min(arity, pools.length - 1)]
    if (!rows) throw new InvalidInputError(`no stored cold-start rows to calibrate eps ${eps} for rows with an unseen ${kind}`)
    const fresh = calibrateClustered(rows.y, rows.pred, this.stored.model.dims.heads, eps, rows.group, coldConfidence(this.stored.model.config))
    cs.push(fresh)
    return fresh
  }

  /** Point predictions (median head), in µs. */
  predict(rows: PredictRow[]): Float64Array { return this.#score(rows).runtime }

  /** Upper bounds that hold with probability ≥ 1 − eps, in µs. */
  bound(rows: PredictRow[], eps: number): Float64Array { return this.#score(rows, eps).bound }

  /** Point predictions and (with eps) calibrated bounds of arbitrary rows, in µs. */
  #score(rows: PredictRow[], eps?: number): Scores {
    const out: Scores = { runtime: new Float64Array(rows.length), bound: new Float64Array(rows.length).fill(NaN) }
    for (const [a, { obs, at }] of this.#toPools(rows).pools) {
      const s = this.scoreObservations(obs, eps)
      at.forEach((n, r) => { out.runtime[n] = s.runtime[r]; out.bound[n] = s.bound[r] })
    }
    return out
  }

  /** Scores every row of an observation set (indices already resolved). */
  scoreObservations(obs: Observations, eps?: number): Scores {
    const n = obs.logT.length, idx = Int32Array.from({ length: n }, (_, r) => r)
    const point = new Float32Array(n)
    predictRows(this.#e, this.stored.model.dims, obs, idx, point, undefined, 0)
    const runtime = Float64Array.from(point, Math.exp)
    const bound = new Float64Array(n).fill(NaN)
    if (eps !== undefined) {
      // Rows of one kind share a calibration: one pass of its head over them.
      const byKind = new Map<ColdKind | null, number[]>()
      for (let r = 0; r < n; r++) { const k = this.kind(obs, r), l = byKind.get(k); if (l) l.push(r); else byKind.set(k, [r]) }
      for (const [kind, rows] of byKind) {
        const c = this.calibration(obs.arity, eps, kind)
        const b = new Float32Array(rows.length)
        predictRows(this.#e, this.stored.model.dims, obs, rows, b, undefined, c.head)
        rows.forEach((r, q) => { bound[r] = Math.exp(b[q] + c.margin) })
      }
    }
    return { runtime, bound }
  }

  /**
   * Scores one workload against many (platform, co-runner set) candidates at once: the
   * orchestrator's placement query. `corunners` is [candidates × arity] workload indices.
   * @example
   * const s = p.scoreCandidates(12, Int32Array.of(0, 5, 9), Int32Array.of(3, 3, 7), 1, 0.05)
   */
  scoreCandidates(workload: EntityRef, platforms: Int32Array, corunners: Int32Array, arity: number, eps: number): Scores {
    const n = platforms.length
    if (corunners.length !== n * arity) throw new InvalidInputError(`scoreCandidates: corunners must hold ${n}×${arity} indices, got ${corunners.length}`)
    const w = this.workload(workload)
    for (let c = 0; c < n; c++) this.#checkIndex(platforms[c], this.platforms.count, 'platform')
    for (let c = 0; c < corunners.length; c++) this.#checkIndex(corunners[c], this.workloads.count, 'workload')
    // Candidates on an unseen platform or beside an unseen co-runner take that kind's calibration.
    // This is the placement hot path (10,000 candidates in a few ms): one byte per candidate
    // names its calibration, and each calibration's head and margin are looked up once.
    const probe: Observations = { arity, platform: platforms, workload: new Int32Array(n).fill(w), corunners, logT: new Float64Array(n) }
    const kindOf = new Uint8Array(n), present = new Uint8Array(CAL_KINDS.length)
    for (let c = 0; c < n; c++) { const k = CAL_KINDS.indexOf(this.kind(probe, c)); kindOf[c] = k; present[k] = 1 }
    const cals = CAL_KINDS.map((k, i) => (present[i] ? this.calibration(arity, eps, k) : undefined))
    const heads = [...new Set(cals.flatMap((c) => (c ? [c.head] : [])))], hs = [0, ...heads]
    const headOf = cals.map((c) => (c ? heads.indexOf(c.head) : 0)), marginOf = cals.map((c) => c?.margin ?? 0)
    const mags = arity > 0 ? hs.map((h) => this.#magnitudes(h)) : undefined
    const [point, ...upper] = scoreWorkload(this.#e, this.stored.model.dims, w, platforms, corunners, arity, hs, mags)
    const runtime = new Float64Array(n), bound = new Float64Array(n)
    for (let c = 0; c < n; c++) {
      const k = kindOf[c]
      runtime[c] = Math.exp(point[c])
      bound[c] = Math.exp(upper[headOf[k]][c] + marginOf[k])
    }
    return { runtime, bound }
  }

  #magnitudes(h: number): Float32Array {
    let t = this.#mags.get(h)
    if (!t) { t = magnitudeTable(this.#e, this.stored.model.dims, h); this.#mags.set(h, t) }
    return t
  }

  #checkIndex(i: number, count: number, kind: string): void {
    if (!(i >= 0 && i < count)) throw new InvalidInputError(`unknown ${kind} index ${i} (valid 0..${count - 1})`)
  }
}

/** Loads a model directory written by `predictor train` (or {@link saveModel}). */
export function loadPredictor(dir: string): Predictor {
  return new Predictor(loadModel(dir), dir)
}
