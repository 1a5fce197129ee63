/**
 * The learning loop at a glance: every observed runtime next to the prediction and the 1 − ε
 * bound it was placed with, and the prediction error falling as observations arrive.
 * @module
 */
import { chartSvg } from '../common/plot.js'

export interface PlottedObservation { runtimeMs: number; predictedMs: number; boundMs: number }

/** SVG of observations in arrival order (common/plot.ts). */
export function learningSvg(obs: PlottedObservation[]): string {
  const x = obs.map((_, i) => i + 1)
  const err = obs.map((o) => 100 * Math.abs(o.runtimeMs / o.predictedMs - 1))
  // Mean error over the last 10 runs: the trend, not the noise.
  const trend = err.map((_, i) => { const w = err.slice(Math.max(0, i - 9), i + 1); return w.reduce((a, b) => a + b, 0) / w.length })
  const covered = obs.filter((o) => o.runtimeMs <= o.boundMs).length
  return chartSvg([
    {
      title: `observed runtime vs prediction and bound (${covered}/${obs.length} within the bound)`, yLabel: 'ms',
      bands: [{ name: 'prediction .. bound', x, lo: obs.map((o) => o.predictedMs), hi: obs.map((o) => o.boundMs) }],
      series: [{ name: 'predicted', x, y: obs.map((o) => o.predictedMs) }],
      scatter: [{ name: 'observed', x, y: obs.map((o) => o.runtimeMs) }],
    },
    { title: 'prediction error |observed / predicted - 1|', yLabel: '%', series: [{ name: 'mean of last 10', x, y: trend }], scatter: [{ name: 'per run', x, y: err }] },
  ], { title: 'orchestrator learning loop', xLabel: 'observation' })
}
