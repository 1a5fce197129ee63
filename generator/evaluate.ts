/**
 * Evaluation: for each target trace and method, generate, replay on this device, record, and
 * score with the MimeSys normalised DTW (per metric, ranges of the training corpus) and its
 * mean. Also the overlay chart of target and replays per trace.
 * @module
 */
import { chartSvg, PALETTE, writeChart, type Panel } from '../common/plot.js'
import { normalisedDtw, type NormalisedDtwResult } from '../telemetry/dtw.js'
import type { Device } from './device.js'
import { generate, policyFor, targetRows, windowsPerRow, type GeneratorParts, type Policy } from './generate.js'
import { spans } from './normalise.js'
import type { Method, Target } from './types.js'

/** The per-row trace a replay produced (windows of a row averaged), raw units. */
export type Replayed = Float64Array[]

/** Replays windows and averages each row's `perRow` windows back into one trace row. */
export async function replayRows(device: Device, parts: GeneratorParts, windows: Float32Array[], perRow: number, signal?: AbortSignal): Promise<Replayed> {
  return averageRows(await device.run(parts.meta.space, windows, { signal }), perRow)
}

/** Recorded windows averaged `perRow` at a time into trace rows (the metrics are rates). */
export function averageRows(obs: Float32Array[], perRow: number): Replayed {
  const rows: Replayed = []
  for (let i = 0; i + perRow <= obs.length; i += perRow) {
    const r = new Float64Array(obs[i]!.length)
    for (let j = 0; j < perRow; j++) obs[i + j]!.forEach((v, n) => { r[n] += v / perRow })
    rows.push(r)
  }
  return rows
}

/** Normalised DTW of replayed rows against the target's rows, over the metrics the target has. */
export function score(parts: GeneratorParts, target: Target, replayed: Replayed): NormalisedDtwResult {
  const metrics = target.metrics.filter((_, n) => target.rows.every((r) => !Number.isNaN(r[n]!)))
  const asTrace = (rows: ArrayLike<number>[]) => ({
    columns: ['time_s', ...target.metrics],
    rows: rows.map((r, t) => [t * target.periodS, ...Array.from(r, (v) => (Number.isNaN(v) ? 0 : v))]),
  })
  return normalisedDtw(asTrace(target.rows), asTrace(replayed), { ranges: spans(parts.meta.ranges), metrics })
}

/** One method on one target: generate (compressed in time), replay, score. */
export async function evalOne(device: Device, parts: GeneratorParts, target: Target, method: Method | Policy,
  { seed = 0, compress = true, input }: { seed?: number; compress?: boolean; input?: Target } = {}): Promise<{ result: NormalisedDtwResult; replayed: Replayed }> {
  const policy = typeof method === 'function' ? method : policyFor(parts, method)
  const perRow = windowsPerRow(parts.meta, target, compress)
  const windows = await generate(parts, policy, targetRows(parts.meta, input ?? target), perRow, { seed })
  const replayed = await replayRows(device, parts, windows, perRow)
  return { result: score(parts, target, replayed), replayed }
}

/** Overlay chart: one panel per metric, the target and every method's replay. */
export function overlayChart(target: Target, replays: Record<string, Replayed>, path: string): void {
  const x = target.rows.map((_, t) => t * target.periodS)
  const panels: Panel[] = target.metrics.map((m, n) => ({
    title: m, yLabel: m.startsWith('cpu') ? '%' : 'B/s',
    series: [
      { name: 'target', x, y: target.rows.map((r) => r[n]!), color: '#000000' },
      ...Object.entries(replays).map(([name, rows], i) => ({ name, x, y: rows.map((r) => r[n]!), color: PALETTE[i % PALETTE.length], dashed: true })),
    ],
  }))
  writeChart(chartSvg(panels, { title: `${target.name}: target vs replays`, xLabel: 'time (s)' }), path)
}
