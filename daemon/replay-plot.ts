/**
 * The chart of a replay: per thread, planned vs executed busy time in each window, then the
 * window's timing error and start drift, so a glance shows whether the device kept up.
 * @module
 */
import { chartSvg, PALETTE, type Panel } from '../common/plot.js'
import type { ReplayRecord, WindowSummary } from './types.js'

export function replaySvg(record: ReplayRecord, windows: WindowSummary[]): string {
  const x = windows.map((w) => w.index)
  const threads: Panel[] = Array.from({ length: record.threads }, (_, k) => ({
    title: `thread ${k}: busy time per window`, yLabel: 'ms', yMin: 0, yMax: record.windowMs,
    series: [
      { name: 'planned', x, y: windows.map((w) => w.plannedMs[k] ?? 0), color: PALETTE[0] },
      { name: 'executed', x, y: windows.map((w) => w.executedMs[k] ?? 0), color: PALETTE[1], dashed: true },
    ],
  }))
  return chartSvg([
    ...threads,
    { title: 'mean |executed - planned| / W', yLabel: '%', yMin: 0, series: [{ name: 'error', x, y: windows.map((w) => 100 * w.meanAbsErrorFraction), color: PALETTE[2] }] },
    { title: 'window start drift', yLabel: 'ms', series: [{ name: 'drift', x, y: windows.map((w) => w.startDriftMs), color: PALETTE[3] }] },
  ], { title: `replay ${record.id} (${record.state})`, xLabel: 'window', panelHeight: 110 })
}
