/**
 * Scores a fitted predictor on test rows, per pool: both MAPE definitions on the median head,
 * and coverage / tightness / overprovisioning of the calibrated bound for each ε. Each row's
 * bound uses the calibration of its pool: seen entities, or the cold pool of the kind of
 * unseen entity it touches.
 * @module
 */
import type { ColdKind } from './cold-start.js'
import { rowKind } from './cold-start.js'
import type { Calibration } from './conformal.js'
import type { ColdCalibration, ColdStart } from './fit.js'
import type { Embeddings } from './heads.js'
import { boundMetrics, mape, type PoolMetrics } from './metrics.js'
import type { PitotModel } from './model.js'
import type { Observations } from './types.js'

/** The calibration of pool `arity`, or of the largest calibrated arity below it. */
export function poolCalibration(calibration: Calibration[][], arity: number): Calibration[] {
  for (let a = Math.min(arity, calibration.length - 1); a >= 0; a--) if (calibration[a]?.length) return calibration[a]
  return []
}

/**
 * The calibrations (one per ε of the seen pool) for rows of `kind` in pool `arity`. Without any
 * cold calibration (no probe, older model) cold rows keep the seen margins; a kind the probe
 * had no rows of gets an infinite margin: no bound is better than a bound that does not hold.
 */
export function kindCalibration(calibration: Calibration[][], cold: ColdCalibration | undefined, kind: ColdKind | null, arity: number): Calibration[] {
  const seen = poolCalibration(calibration, arity)
  if (kind === null || !cold) return seen
  const cs = cold[kind] ? poolCalibration(cold[kind], arity) : []
  return seen.map((c) => cs.find((x) => x.eps === c.eps) ?? { eps: c.eps, head: 0, margin: Infinity })
}

/** Metrics of rows `idx` of one pool; `calib(q)` is the calibration list of the q-th row. */
export function poolMetrics(m: PitotModel, calib: (q: number) => Calibration[], eps: number[], obs: Observations, idx: Int32Array, e: Embeddings): PoolMetrics {
  const H = m.dims.heads, n = idx.length
  const pred = m.predict(obs, idx, e)
  const y = Float64Array.from(idx, (r) => obs.logT[r])
  const point = Float64Array.from({ length: n }, (_, r) => pred[r * H])
  const out: PoolMetrics = { rows: n, ...mape(y, point), eps: {} }
  eps.forEach((ep, i) => {
    const bound = Float64Array.from({ length: n }, (_, r) => { const c = calib(r)[i]; return pred[r * H + c.head] + c.margin })
    out.eps[String(ep)] = boundMetrics(y, bound)
  })
  return out
}

/**
 * Metrics of every non-empty pool, keyed by the number of co-runners. With `cold` (the fitted
 * cold-start record) rows touching entities the model never trained on get cold margins.
 */
export function evaluatePools(m: PitotModel, calibration: Calibration[][], pools: Observations[], rows: Int32Array[], cold?: ColdStart): Record<string, PoolMetrics> {
  const e = m.embed()
  const out: Record<string, PoolMetrics> = {}
  const seen = cold?.seenPlatforms && cold.seenWorkloads ? { platform: cold.seenPlatforms, workload: cold.seenWorkloads } : undefined
  pools.forEach((obs, a) => {
    const idx = rows[a]
    if (!idx || idx.length === 0) return
    const base = poolCalibration(calibration, a)
    const lists = new Map<ColdKind | null, Calibration[]>([[null, base]])
    const of = (kind: ColdKind | null) => {
      let l = lists.get(kind)
      if (!l) { l = kindCalibration(calibration, cold?.calibration, kind, a); lists.set(kind, l) }
      return l
    }
    const calib = seen ? (q: number) => of(rowKind(obs, idx[q], seen)) : () => base
    out[String(a)] = poolMetrics(m, calib, base.map((c) => c.eps), obs, idx, e)
  })
  return out
}
