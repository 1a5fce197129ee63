/**
 * The bounds plot: for a sample of rows per pool, sorted by prediction, the measured runtime
 * and the calibrated upper bound, both divided by the point prediction (so 1 = exact and the
 * shaded band is the margin the bound adds). Drawn with common/plot.ts.
 * @module
 */
import { chartSvg, type Panel } from '../common/plot.js'
import { Rng } from '../ml/index.js'
import { poolCalibration } from './evaluate.js'
import type { Calibration } from './conformal.js'
import type { PitotModel } from './model.js'
import type { Observations } from './types.js'

export function boundsChart(m: PitotModel, calibration: Calibration[][], pools: Observations[], rows: Int32Array[], eps = 0.05, sample = 300): string {
  const e = m.embed(), H = m.dims.heads, rng = new Rng(0)
  const panels: Panel[] = []
  pools.forEach((obs, a) => {
    const c = poolCalibration(calibration, a).find((x) => x.eps === eps)
    const all = rows[a]
    if (!c || !all?.length) return
    const idx = all.length > sample ? Int32Array.from(rng.permutation(all.length).subarray(0, sample), (r) => all[r]) : all
    const pred = m.predict(obs, idx, e)
    const order = Array.from(idx, (_, r) => r).sort((p, q) => pred[p * H] - pred[q * H])
    const x = order.map((_, k) => k)
    const ratio = order.map((r) => Math.exp(obs.logT[idx[r]] - pred[r * H]))
    const bound = order.map((r) => Math.exp(pred[r * H + c.head] + c.margin - pred[r * H]))
    const covered = ratio.filter((v, k) => v <= bound[k]).length / ratio.length
    panels.push({
      title: `${a === 0 ? 'isolated' : `${a + 1}-way`}: head ξ=${m.config.quantiles[c.head]}, ${(100 * covered).toFixed(1)}% covered`,
      yLabel: '÷ prediction',
      bands: [{ name: `bound margin (eps ${eps})`, x, lo: x.map(() => 1), hi: bound }],
      series: [{ name: 'prediction', x, y: x.map(() => 1) }],
      scatter: [{ name: 'measured', x, y: ratio }],
    })
  })
  return chartSvg(panels, { title: `Measured runtime and conformal bound (eps ${eps}) ÷ point prediction`, xLabel: 'rows sorted by predicted runtime' })
}
