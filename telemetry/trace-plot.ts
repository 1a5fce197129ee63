/**
 * Trace charts: one panel per metric over time, a second trace overlaid (dashed) for comparison.
 * @module
 */
import { chartSvg, PALETTE, type Panel } from '../common/plot.js'
import { column, defaultUnits } from './trace-io.js'
import type { Trace } from './types.js'

/** A trace with the label it gets in the legend. */
export interface LabelledTrace { label: string; trace: Trace }

/** Panel title and y-axis label for a metric column. */
function describe(name: string, unit: string | undefined): { title: string; yLabel: string } {
  const core = /^cpu_util_(\d+)$/.exec(name)
  if (core) return { title: `CPU core ${core[1]} utilisation`, yLabel: '%' }
  return { title: name.replace(/_/g, ' '), yLabel: unit ?? '' }
}

/**
 * SVG of one or more traces: every metric of the first trace gets a panel; the other traces
 * are overlaid where they have the same column. CPU panels are fixed to 0-100 %.
 */
export function tracesSvg(traces: LabelledTrace[], { title, metrics }: { title?: string; metrics?: string[] } = {}): string {
  const first = traces[0]!.trace
  const names = metrics ?? first.columns.filter((c) => c !== 'time_s')
  const panels: Panel[] = names.map((name) => {
    const { title: t, yLabel } = describe(name, first.meta?.units[name] ?? defaultUnits([name])[name])
    const series = traces.filter(({ trace }) => trace.columns.includes(name)).map(({ label, trace }, i) => ({
      name: label, x: column(trace, 'time_s'), y: column(trace, name), color: PALETTE[i % PALETTE.length], dashed: i > 0,
    }))
    return { title: t, yLabel, series, ...(name.startsWith('cpu_util_') ? { yMin: 0, yMax: 100 } : {}) }
  })
  return chartSvg(panels, { title, xLabel: 'time (s)', panelHeight: 120 })
}
