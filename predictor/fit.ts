/**
 * One fitted predictor end to end: baseline on the isolated train rows, the network trained with
 * early stopping on the validation rows, cold-start maps for entities without rows, and CQR
 * calibrated per pool on the validation rows (Pitot uses its validation set for both).
 *
 * Bounds for never-seen entities come from a cold probe: a second model fitted the same way
 * with a random share of the seen platforms and workloads held out entirely. Its features-only
 * predictions of the held-out entities' rows are exactly how the main model predicts a new
 * entity, so their residuals calibrate the cold pools (per kind of unseen entity and arity).
 * The main model itself trains on every row, so seen-entity accuracy and calibration are the
 * same as without the probe; the probe saw a bit less data, which errs on the safe side.
 * @module
 */
import { Rng } from '../ml/index.js'
import { fitBaseline } from './baseline.js'
import { calibrate, calibrateClustered, naiveHead, type Calibration } from './conformal.js'
import { COLD_KINDS, denseColdRows, fitRidge, meanLearned, rowGroup, rowKind, type ColdKind, type ColdRows, type ResidualPool, type Ridge, type SeenMasks } from './cold-start.js'
import { trainMembers } from './members.js'
import { fitStandardizer, standardize, type PitotModel, type Tower } from './model.js'
import { selectRows } from './split.js'
import type { TrainOptions, TrainResult } from './train.js'
import type { Dataset, ModelConfig, Observations } from './types.js'

/** The miscoverage levels reported everywhere. */
export const EPS = [0.1, 0.05, 0.01]

/**
 * Share of seen platforms and of seen workloads the cold probe holds out, unless
 * config.coldShare says otherwise. Cold errors are per entity, so the number of held-out
 * entities sets how well the tail is known: at 0.1 (~22 of each on the Pitot data) margins
 * for unseen workloads swung from under-covering to vacuous between draws; 0.2 halves that.
 */
export const COLD_SHARE = 0.2

/**
 * Confidence of the entity bootstrap behind cold margins, unless config.coldConfidence says
 * otherwise. Higher than the seen pools' coverageConfidence: entities held out together share
 * part of their error (the model lacks all of them at once) and ~40 entities make the
 * bootstrap optimistic (see README, never-seen entities).
 */
export const COLD_CONFIDENCE = 0.9

/** The bootstrap confidence of cold margins for a model config. */
export function coldConfidence(config: ModelConfig): number {
  return config.coldConfidence ?? COLD_CONFIDENCE
}

/** Cold calibration: kind → arity → one calibration per ε. */
export type ColdCalibration = Partial<Record<ColdKind, Calibration[][]>>

export interface ColdStart {
  platform: Ridge; workload: Ridge; platformLearned: number[]; workloadLearned: number[]
  /** 1 = trained on, 0 = features only. Absent in models saved before cold calibration: every table entity counts as seen. */
  seenPlatforms?: number[]
  seenWorkloads?: number[]
  /** Absent without a probe (coldShare 0 or an older model): cold rows then fall back to the seen pools' margins. */
  calibration?: ColdCalibration
}

export interface Fitted {
  model: PitotModel
  /** calibration[arity][epsIndex] */
  calibration: Calibration[][]
  eps: number[]
  coldStart: ColdStart
  /** The probe's rows behind coldStart.calibration (kept with a saved model for new ε). */
  coldRows?: ColdRows
  training: TrainResult
  probeTraining?: TrainResult
}

export interface FitOptions extends TrainOptions {
  eps?: number[]
  /** Naive CQR ablation: the ξ = 1−ε head, no choice. */
  naive?: boolean
  /** Train ensemble members 1…K−1 in worker threads beside member 0 (predictor/members.ts). */
  threads?: boolean
}

/** Entities that appear in any of the given rows (as target, co-runner or platform). */
export function seenEntities(pools: Observations[], rows: Int32Array[][], platforms: number, workloads: number): { platform: Uint8Array; workload: Uint8Array } {
  const p = new Uint8Array(platforms), w = new Uint8Array(workloads)
  for (const set of rows) pools.forEach((obs, a) => {
    for (const r of set[a] ?? []) {
      p[obs.platform[r]] = 1; w[obs.workload[r]] = 1
      for (let k = 0; k < a; k++) w[obs.corunners[r * a + k]] = 1
    }
  })
  return { platform: p, workload: w }
}

/** The seen masks of a cold-start record (all table entities when it predates them). */
export function seenMasks(c: ColdStart, platforms: number, workloads: number): SeenMasks {
  return { platform: c.seenPlatforms ?? new Array(platforms).fill(1), workload: c.seenWorkloads ?? new Array(workloads).fill(1) }
}

/**
 * ONNX metadata for cold bounds: the graph bakes every table entity (those never trained on
 * with their features-only baseline and φ), so a runtime needs which ones are cold and the
 * cold margins to bound their rows; new entities given by features need the TypeScript API.
 */
export function coldMetadata(c: ColdStart): Record<string, string> {
  if (!c.calibration) return {}
  return { cold_calibration: JSON.stringify(c.calibration), platform_seen: JSON.stringify(c.seenPlatforms), workload_seen: JSON.stringify(c.seenWorkloads) }
}

/** Gives entities outside `mask` the mean φ and the ridge baseline, so features alone predict them. */
function applyColdStart(m: PitotModel, tower: Tower, base: Float32Array, features: Float32Array, dim: number, mask: Uint8Array): { ridge: Ridge; learned: number[] } {
  const ridge = fitRidge(features, dim, base, mask)
  const phi = meanLearned(tower.learned, mask)
  const q = phi.length
  for (let e = 0; e < mask.length; e++) {
    if (mask[e]) continue
    let s = ridge.intercept
    for (let f = 0; f < dim; f++) s += ridge.weights[f] * features[e * dim + f]
    base[e] = s
    tower.learned.value.set(phi, e * q)
  }
  return { ridge, learned: Array.from(phi) }
}

/** Rows of each pool whose entities are all known (the seen pools), or all rows without masks. */
export function knownRows(pools: Observations[], rows: Int32Array[], seen?: SeenMasks): Int32Array[] {
  return seen ? rows.map((idx, a) => idx.filter((r) => rowKind(pools[a], r, seen) === null)) : rows
}

/** Calibrates every pool and ε on the given rows (each pool uses its own rows). */
export function calibratePools(m: PitotModel, pools: Observations[], rows: Int32Array[], eps: number[], naive = false): Calibration[][] {
  const e = m.embed()
  return pools.map((obs, a) => {
    const idx = rows[a] ?? new Int32Array(0)
    const pred = m.predict(obs, idx, e)
    const y = Float64Array.from(idx, (r) => obs.logT[r])
    return eps.map((ep) => calibrate(y, pred, m.dims.heads, ep, naive ? [naiveHead(m.config.quantiles, ep)] : undefined, m.config.coverageConfidence ?? 0))
  })
}

/** Calibrates every cold pool (kind, arity) for every ε from the probe's rows. */
export function calibrateCold(rows: ColdRows, heads: number, eps: number[], confidence: number): ColdCalibration {
  const out: ColdCalibration = {}
  for (const kind of COLD_KINDS) {
    const pools = rows[kind]
    if (pools) out[kind] = Array.from(pools, (p) => eps.map((ep) => calibrateClustered(p?.y ?? [], p?.pred ?? [], heads, ep, p?.group ?? [], confidence)))
  }
  return out
}

/** The main model: trained on `trainRows`, entities without train rows predicted from features. */
function fitModel(ds: Dataset, trainRows: Int32Array[], valRows: Int32Array[], config: ModelConfig, opts: FitOptions) {
  const { platforms, workloads, pools } = ds
  const base = fitBaseline(selectRows(pools[0], trainRows[0] ?? new Int32Array(0)), platforms.count, workloads.count)
  const scalers = { platform: fitStandardizer(platforms), workload: fitStandardizer(workloads) }
  const { model, training } = trainMembers({ ds, config, scalers, base, trainRows, valRows }, opts)
  const seen = seenEntities(pools, [trainRows], platforms.count, workloads.count)
  const p = applyColdStart(model, model.plat, model.bx.value, standardize(platforms, scalers.platform), platforms.dim, seen.platform)
  const w = applyColdStart(model, model.work, model.by.value, standardize(workloads, scalers.workload), workloads.dim, seen.workload)
  const coldStart: ColdStart = {
    platform: p.ridge, workload: w.ridge, platformLearned: p.learned, workloadLearned: w.learned,
    seenPlatforms: Array.from(seen.platform), seenWorkloads: Array.from(seen.workload),
  }
  return { model, training, coldStart, seen }
}

/** A random `share` of the entities with mask[e] = 1 (at least one when any and share > 0). */
function pickShare(mask: Uint8Array, share: number, rng: Rng): Uint8Array {
  const ids = Array.from(mask.keys()).filter((e) => mask[e])
  const out = new Uint8Array(mask.length)
  const n = Math.min(ids.length, Math.max(1, Math.round(share * ids.length)))
  const perm = rng.permutation(ids.length)
  for (let i = 0; i < n; i++) out[ids[perm[i]]] = 1
  return out
}

/**
 * The cold probe: holds out `share` of the seen platforms and workloads (every row touching
 * one, as target or co-runner, leaves training and validation), fits a model on the rest, and
 * collects its features-only predictions of the held-out rows by cold kind and arity.
 */
export function coldProbe(ds: Dataset, trainRows: Int32Array[], valRows: Int32Array[], config: ModelConfig, share: number, seen: { platform: Uint8Array; workload: Uint8Array }, opts: FitOptions = {}) {
  const { pools, platforms } = ds
  // Streams of their own: eval's cold split draws its held-out entities from seed + 7919.
  const hold = { platform: pickShare(seen.platform, share, new Rng(config.seed + 104729)), workload: pickShare(seen.workload, share, new Rng(config.seed + 130363)) }
  const touches = (obs: Observations, r: number) => {
    if (hold.platform[obs.platform[r]] || hold.workload[obs.workload[r]]) return true
    for (let k = 0; k < obs.arity; k++) if (hold.workload[obs.corunners[r * obs.arity + k]]) return true
    return false
  }
  const part = (rows: Int32Array[], held: boolean) => rows.map((idx, a) => idx.filter((r) => touches(pools[a], r) === held))
  const probe = fitModel(ds, part(trainRows, false), part(valRows, false), { ...config, seed: config.seed + 1 }, { ...opts, onProgress: undefined })
  const H = probe.model.dims.heads, e = probe.model.embed()
  const held = [...part(trainRows, true), ...part(valRows, true)]
  const rows: ColdRows = {}
  pools.forEach((obs, a) => {
    const idx = Int32Array.from([...(held[a] ?? []), ...(held[pools.length + a] ?? [])])
    const pred = probe.model.predict(obs, idx, e)
    const byKind = new Map<ColdKind, number[]>()
    idx.forEach((r, q) => {
      const k = rowKind(obs, r, probe.seen)
      if (!k) return
      const qs = byKind.get(k)
      if (qs) qs.push(q)
      else byKind.set(k, [q])
    })
    for (const [kind, qs] of byKind) {
      const pool: ResidualPool = {
        group: Int32Array.from(qs, (q) => rowGroup(obs, idx[q], probe.seen, platforms.count)),
        y: Float64Array.from(qs, (q) => obs.logT[idx[q]]),
        pred: new Float32Array(qs.length * H),
      }
      qs.forEach((q, i) => pool.pred.set(pred.subarray(q * H, (q + 1) * H), i * H))
      ;(rows[kind] ??= [])[a] = pool
    }
  })
  return { rows: denseColdRows(rows), training: probe.training }
}

export function fitPredictor(ds: Dataset, trainRows: Int32Array[], valRows: Int32Array[], config: ModelConfig, opts: FitOptions = {}): Fitted {
  const { model, training, coldStart, seen } = fitModel(ds, trainRows, valRows, config, opts)
  const eps = opts.eps ?? EPS
  const fitted: Fitted = { model, eps, training, coldStart, calibration: calibratePools(model, ds.pools, knownRows(ds.pools, valRows, seen), eps, opts.naive) }
  const share = config.coldShare ?? COLD_SHARE
  if (share > 0) {
    const probe = coldProbe(ds, trainRows, valRows, config, share, seen, opts)
    fitted.coldRows = probe.rows
    fitted.probeTraining = probe.training
    coldStart.calibration = calibrateCold(probe.rows, model.dims.heads, eps, coldConfidence(config))
  }
  return fitted
}
