/**
 * `edgemime generator eval --model DIR --traces DIR`: every trace × method, replayed and scored
 * with normalised DTW; one table (or `--json`), an overlay chart per trace. `--drop F` hides a
 * fraction F of the input samples (robustness study; scored against the full trace);
 * `--candidates N` adds diffusion with best-of-N sampling (and sets guided's proposals);
 * `--closed-loop` adds diffusion (best-of-N when given) replayed closed-loop with the
 * conditioning correction, and guided replayed closed-loop with the forward-model gain
 * correction (generator/closed-loop.ts), `--chunk` rows per closed-loop replay (defaults: closed-loop.ts).
 * Replays are compressed in time (one model window per trace row: the metrics are rates, so the
 * scores hold and a run is 4× shorter) unless `--real-time` plays each row over its own period:
 * a /proc recording (`--source system`) of a 250 ms window holds 25 jiffies per core, a ±4 %
 * read-out floor on CPU that a 1 s row, as the targets were sampled, brings down to ±1 %.
 * @module
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import { progressBar } from '../common/progress.js'
import { Rng } from '../ml/rng.js'
import { Device, foreignLoadWarning } from '../generator/device.js'
import { closedLoop } from '../generator/closed-loop.js'
import { evalOne, overlayChart, score, type Replayed } from '../generator/evaluate.js'
import { policyFor, targetRows, windowsPerRow } from '../generator/generate.js'
import { openParts } from '../generator/parts.js'
import type { RecordSource } from '../generator/recorder.js'
import { readTarget, targetFiles } from '../generator/target.js'
import { METHODS, type Method, type Target } from '../generator/types.js'
import { num } from './generator.js'

/** Names of the closed-loop rows in the table and JSON. */
const CLOSED_LOOP = 'diffusion-closed-loop'
const GUIDED_CLOSED_LOOP = 'guided-closed-loop'

/** Copy of a target with a fraction of its samples (cells) set missing. */
export function dropSamples(target: Target, fraction: number, rng: Rng): Target {
  return { ...target, rows: target.rows.map((r) => r.map((v) => (rng.next() < fraction ? NaN : v))) }
}

export async function evalCmd(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    model: { type: 'string' }, traces: { type: 'string' }, methods: { type: 'string' }, json: { type: 'boolean', default: false },
    plots: { type: 'string' }, drop: { type: 'string' }, 'closed-loop': { type: 'boolean', default: false },
    candidates: { type: 'string' }, chunk: { type: 'string' }, seed: { type: 'string' }, data: { type: 'string' }, source: { type: 'string' },
    'real-time': { type: 'boolean', default: false },
  } })
  if (!values.model || !values.traces) { process.stderr.write('usage: edgemime generator eval --model DIR --traces DIR [--methods m1,m2] [--json] [--plots DIR] [--drop F] [--candidates N] [--closed-loop] [--chunk ROWS] [--source replay|system|process] [--real-time]\n'); return 2 }
  const methods = (values.methods?.split(',') ?? [...METHODS]) as Method[]
  const bad = methods.find((m) => !METHODS.includes(m))
  if (bad) throw new InvalidInputError(`unknown method '${bad}'; one of ${METHODS.join(', ')}`)
  const drop = num('drop', values.drop, 0, true) ?? 0
  if (drop >= 1) throw new InvalidInputError('--drop must be below 1')
  const files = targetFiles(values.traces)
  const parts = await openParts(values.model, values.data)
  const device = await Device.open(parts.meta.space, values.source as RecordSource | undefined)
  const seed = num('seed', values.seed, 0) ?? 0
  const candidates = num('candidates', values.candidates, 1) ?? 1
  const chunk = num('chunk', values.chunk, 1)
  const compress = !values['real-time']
  const bestOf = { ...parts, candidates }
  // Guided keeps its own default number of proposals unless --candidates sets it.
  const guided = { ...parts, candidates: values.candidates === undefined ? undefined : candidates }
  const loops = values['closed-loop'] ? [
    ...(methods.includes('diffusion') ? [CLOSED_LOOP] : []),
    ...(methods.includes('guided') ? [GUIDED_CLOSED_LOOP] : []),
  ] : []
  const extra = [...(candidates > 1 ? [`diffusion-best-of-${candidates}`] : []), ...loops]
  const out: Record<string, Record<string, { mean: number; per_metric: Record<string, number> }>> = {}
  const bar = progressBar('eval', files.length * (methods.length + extra.length))
  try {
    for (const file of files) {
      const target = readTarget(join(values.traces, file), parts.meta.space.metrics)
      const input = drop > 0 ? dropSamples(target, drop, new Rng(seed + 17)) : target
      const perRow = windowsPerRow(parts.meta, target, compress)
      const replays: Record<string, Replayed> = {}
      out[target.name] = {}
      for (const method of methods) {
        const { result, replayed } = await evalOne(device, method === 'guided' ? guided : parts, target, method, { seed, input, compress })
        out[target.name]![method] = result
        replays[method] = replayed
        bar.update(Object.values(out).reduce((s, o) => s + Object.keys(o).length, 0), `${target.name} ${method} ${result.mean.toFixed(3)}`)
      }
      if (candidates > 1) {
        const { result, replayed } = await evalOne(device, bestOf, target, policyFor(bestOf, 'diffusion'), { seed, input, compress })
        out[target.name]![extra[0]!] = result
        replays[extra[0]!] = replayed
      }
      for (const loop of loops) {
        const replayed = loop === CLOSED_LOOP
          ? await closedLoop(device, bestOf, policyFor(bestOf, 'diffusion'), targetRows(parts.meta, input), { seed, chunk, perRow })
          : await closedLoop(device, guided, policyFor(guided, 'guided'), targetRows(parts.meta, input), { seed, chunk, perRow, forward: guided.forward })
        out[target.name]![loop] = score(parts, target, replayed)
        replays[loop] = replayed
        bar.update(Object.values(out).reduce((s, o) => s + Object.keys(o).length, 0), `${target.name} ${loop} ${out[target.name]![loop]!.mean.toFixed(3)}`)
      }
      if (values.plots) overlayChart(target, replays, join(values.plots, `${target.name}.svg`))
    }
  } finally {
    bar.stop()
    await device.close()
    await parts.release()
  }
  const warning = foreignLoadWarning(device)
  if (warning) process.stderr.write(`warning: ${warning}\n`)
  if (values.json) process.stdout.write(JSON.stringify({ traces: out, source: device.source, foreign_load_pct: device.foreignLoadPct }, null, 2) + '\n')
  else process.stdout.write(table(out, [...methods, ...extra]))
  return 0
}

/** Rows: trace × method with per-metric DTW and mean; last rows: mean over traces per method. */
export function table(out: Record<string, Record<string, { mean: number; per_metric: Record<string, number> }>>, methods: string[]): string {
  const metrics = Object.keys(Object.values(Object.values(out)[0] ?? {})[0]?.per_metric ?? {})
  const head = ['trace', 'method', ...metrics, 'mean']
  const rows = Object.entries(out).flatMap(([trace, byMethod]) =>
    methods.map((m) => [trace, m, ...metrics.map((k) => byMethod[m]!.per_metric[k]!.toFixed(4)), byMethod[m]!.mean.toFixed(4)]))
  for (const m of methods) {
    const vals = Object.values(out).map((o) => o[m]!)
    rows.push(['ALL', m, ...metrics.map((k) => avg(vals.map((v) => v.per_metric[k]!)).toFixed(4)), avg(vals.map((v) => v.mean)).toFixed(4)])
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')
  return [line(head), ...rows.map(line)].join('\n') + '\n'
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
