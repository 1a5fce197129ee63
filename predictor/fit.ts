/**
 * One fitted predictor end to end: baseline on the isolated train rows, the network trained with
 * early stopping on the validation rows, cold-start maps for entities without rows, and CQR
 * calibrated per pool on the validation rows (Pitot uses its validation set for both).
 * @module
 */
import { fitBaseline } from './baseline.js'
import { calibrate, naiveHead, type Calibration } from './conformal.js'
import { fitRidge, meanLearned, type Ridge } from './cold-start.js'
import { fitStandardizer, PitotModel, standardize, type Tower } from './model.js'
import { selectRows } from './split.js'
import { train, type TrainOptions, type TrainResult } from './train.js'
import type { Dataset, ModelConfig, Observations } from './types.js'

/** The miscoverage levels reported everywhere. */
export const EPS = [0.1, 0.05, 0.01]

export interface ColdStart { platform: Ridge; workload: Ridge; platformLearned: number[]; workloadLearned: number[] }

export interface Fitted {
  model: PitotModel
  /** calibration[arity][epsIndex] */
  calibration: Calibration[][]
  eps: number[]
  coldStart: ColdStart
  training: TrainResult
}

export interface FitOptions extends TrainOptions {
  eps?: number[]
  /** Naive CQR ablation: the ξ = 1−ε head, no choice. */
  naive?: boolean
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

/** Calibrates every pool and ε on the given rows (each pool uses its own rows). */
export function calibratePools(m: PitotModel, pools: Observations[], rows: Int32Array[], eps: number[], naive = false): Calibration[][] {
  const e = m.embed()
  return pools.map((obs, a) => {
    const idx = rows[a] ?? new Int32Array(0)
    const pred = m.predict(obs, idx, e)
    const y = Float64Array.from(idx, (r) => obs.logT[r])
    return eps.map((ep) => calibrate(y, pred, m.dims.heads, ep, naive ? [naiveHead(m.config.quantiles, ep)] : undefined, true, m.config.coverageConfidence ?? 0))
  })
}

export function fitPredictor(ds: Dataset, trainRows: Int32Array[], valRows: Int32Array[], config: ModelConfig, opts: FitOptions = {}): Fitted {
  const { platforms, workloads, pools } = ds
  const base = fitBaseline(selectRows(pools[0], trainRows[0] ?? new Int32Array(0)), platforms.count, workloads.count)
  const scalers = { platform: fitStandardizer(platforms), workload: fitStandardizer(workloads) }
  const model = new PitotModel(config, platforms, workloads, scalers, base)
  const training = train(model, pools, trainRows, valRows, opts)
  const seen = seenEntities(pools, [trainRows], platforms.count, workloads.count)
  const p = applyColdStart(model, model.plat, model.bx.value, standardize(platforms, scalers.platform), platforms.dim, seen.platform)
  const w = applyColdStart(model, model.work, model.by.value, standardize(workloads, scalers.workload), workloads.dim, seen.workload)
  const eps = opts.eps ?? EPS
  return {
    model, eps, training,
    calibration: calibratePools(model, pools, valRows, eps, opts.naive),
    coldStart: { platform: p.ridge, workload: w.ridge, platformLearned: p.learned, workloadLearned: w.learned },
  }
}
