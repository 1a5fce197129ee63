/**
 * Scores a fitted predictor on test rows, per pool: both MAPE definitions on the median head,
 * and coverage / tightness / overprovisioning of the calibrated bound for each ε.
 * @module
 */
import type { Calibration } from './conformal.js'
import type { Embeddings } from './heads.js'
import { boundMetrics, mape, type PoolMetrics } from './metrics.js'
import type { PitotModel } from './model.js'
import type { Observations } from './types.js'

/** The calibration of pool `arity`, or of the largest calibrated arity below it. */
export function poolCalibration(calibration: Calibration[][], arity: number): Calibration[] {
  for (let a = Math.min(arity, calibration.length - 1); a >= 0; a--) if (calibration[a]?.length) return calibration[a]
  return []
}

/** Metrics of rows `idx` of one pool. */
export function poolMetrics(m: PitotModel, calib: Calibration[], obs: Observations, idx: Int32Array, e: Embeddings): PoolMetrics {
  const H = m.dims.heads, n = idx.length
  const pred = m.predict(obs, idx, e)
  const y = Float64Array.from(idx, (r) => obs.logT[r])
  const point = Float64Array.from({ length: n }, (_, r) => pred[r * H])
  const out: PoolMetrics = { rows: n, ...mape(y, point), eps: {} }
  for (const c of calib) {
    const bound = Float64Array.from({ length: n }, (_, r) => pred[r * H + c.head] + c.margin)
    out.eps[String(c.eps)] = boundMetrics(y, bound)
  }
  return out
}

/** Metrics of every non-empty pool, keyed by the number of co-runners. */
export function evaluatePools(m: PitotModel, calibration: Calibration[][], pools: Observations[], rows: Int32Array[]): Record<string, PoolMetrics> {
  const e = m.embed()
  const out: Record<string, PoolMetrics> = {}
  pools.forEach((obs, a) => {
    const idx = rows[a]
    if (idx && idx.length > 0) out[String(a)] = poolMetrics(m, poolCalibration(calibration, a), obs, idx, e)
  })
  return out
}
