/**
 * Charts of a composition (stacked fractions per thread over windows) and, after a replay,
 * of what was executed, through the shared common/plot.ts.
 * @module
 */
import { chartSvg, PALETTE, type Panel } from '../common/plot.js'
import type { Composition } from './composition.js'
import type { ReplayReport } from './report-types.js'

/**
 * One panel per thread: each stressor's fraction of the window, stacked, per window. With a
 * report, a last panel shows each window's mean |executed − planned| / W and start drift.
 */
export function compositionChart(comp: Composition, report?: ReplayReport): string {
  const T = comp.windows.length
  // Fractions hold for a whole window: two points per window (its start and end) draw steps.
  const W = comp.windowMs / 1000
  const x = Array.from({ length: 2 * T }, (_, i) => (Math.floor(i / 2) + (i % 2)) * W)
  const panels: Panel[] = []
  for (let k = 0; k < comp.threads; k++) {
    const stacked = comp.stressors.map((s, m) => ({
      name: s.name, x, color: PALETTE[m % PALETTE.length], y: comp.windows.flatMap((w) => [w[m]![k]!, w[m]![k]!]),
    })).filter((s) => s.y.some((v) => v > 0))
    panels.push({ title: `thread ${k}`, yLabel: 'fraction of W', stacked, yMin: 0, yMax: 1 })
  }
  if (report && report.windows.length > 0) {
    const rx = report.windows.map((w) => (w.index * comp.windowMs) / 1000)
    const err = report.windows.map((w) => w.entries.reduce((a, e) => a + Math.abs(e.executedMs - e.plannedMs), 0) / Math.max(1, w.entries.length) / comp.windowMs)
    panels.push({ title: 'replay timing', yLabel: '|exec−plan|/W', series: [{ name: 'mean error', x: rx, y: err }] })
    panels.push({ yLabel: 'start drift ms', series: [{ name: 'drift', x: rx, y: report.windows.map((w) => w.driftMs) }] })
  }
  return chartSvg(panels, { title: `composition: ${comp.threads} threads × ${T} windows of ${comp.windowMs} ms`, xLabel: 'time (s)' })
}
