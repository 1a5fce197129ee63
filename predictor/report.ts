/**
 * Aggregates replicate results (mean ± 2 SE) and prints them in one table with the published
 * Pitot figures (Huang et al., MLSys 2025, on the same dataset) beside ours.
 * @module
 */
import { meanSe2, type BoundMetrics, type PoolMetrics } from './metrics.js'
import type { JobResult } from './protocol.js'

/** Published Pitot figures in %, keyed by pool, then split (MAPE) or ε (tightness at s = 0.5). */
export const PUBLISHED = {
  mape: { '0': { 0.1: 10.35, 0.2: 7.64, 0.5: 5.81, 0.9: 5.39 }, '1': { 0.1: 11.24, 0.2: 10.03, 0.5: 9.15, 0.9: 9.03 } } as Record<string, Record<number, number>>,
  tightness: { '0': { 0.1: 7.99, 0.05: 10.01, 0.01: 15.86 }, '1': { 0.1: 13.27, 0.05: 16.11, 0.01: 22.75 } } as Record<string, Record<number, number>>,
}

export type Spread<T> = { [K in keyof T]: T[K] extends number ? number : T[K] } & { [K in keyof T as T[K] extends number ? `${K & string}_se2` : never]: number }
export interface AggregatedPool extends Omit<Spread<PoolMetrics>, 'eps'> { eps: Record<string, Spread<BoundMetrics>> }
export type Aggregated = Record<string, { pools: Record<string, AggregatedPool> }>

function spread<T extends object>(items: T[]): Spread<T> {
  const out: Record<string, number> = {}
  for (const key of Object.keys(items[0])) {
    const vals = items.map((x) => (x as Record<string, unknown>)[key]).filter((v): v is number => typeof v === 'number')
    if (vals.length !== items.length) continue
    const { mean, se2 } = meanSe2(vals)
    out[key] = mean
    if (key !== 'rows') out[`${key}_se2`] = se2
  }
  return out as Spread<T>
}

/** Mean ± 2 SE per result name, pool and ε over the replicates. */
export function aggregate(results: JobResult[]): Aggregated {
  const by = new Map<string, Record<string, PoolMetrics>[]>()
  for (const r of results) for (const [name, pools] of Object.entries(r.results)) by.set(name, [...(by.get(name) ?? []), pools])
  const out: Aggregated = {}
  for (const [name, reps] of by) {
    const pools: Record<string, AggregatedPool> = {}
    for (const pool of Object.keys(reps[0])) {
      const items = reps.map((x) => x[pool]).filter(Boolean)
      const { eps: _eps, ...flat } = spread(items)
      const eps: Record<string, Spread<BoundMetrics>> = {}
      for (const e of Object.keys(items[0].eps)) eps[e] = spread(items.map((x) => x.eps[e]))
      pools[pool] = { ...(flat as Omit<Spread<PoolMetrics>, 'eps'>), eps }
    }
    out[name] = { pools }
  }
  return out
}

const pct = (v: number, se?: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}${se !== undefined ? `±${(100 * se).toFixed(2)}` : ''}` : '-')

/** A pool's row of the table: single-run metrics, or replicate means with their spread. */
type TablePool = PoolMetrics & { mape_se2?: number; mape_truth_se2?: number; eps: Record<string, BoundMetrics & { tightness_se2?: number }> }

/** A plain-text table: one line per result and pool, published Pitot figures in brackets. */
export function formatTable(agg: Record<string, { pools: Record<string, TablePool> }>, split: number): string {
  const eps = ['0.1', '0.05', '0.01']
  const head = ['result', 'pool', 'rows', 'MAPE |C/Ĉ-1| % [Pitot]', 'MAPE |C-Ĉ|/C %',
    ...eps.flatMap((e) => [`cov@${e}`, `tight@${e} % [Pitot]`, `overprov@${e} %`])]
  const lines = [head]
  for (const [name, { pools }] of Object.entries(agg)) {
    for (const [pool, p] of Object.entries(pools)) {
      const pubM = PUBLISHED.mape[pool]?.[split]
      const row = [name, pool === '0' ? 'isolated' : `${Number(pool) + 1}-way`, String(Math.round(p.rows)),
        `${pct(p.mape, p.mape_se2)}${pubM !== undefined && name === 'pitot' ? ` [${pubM}]` : ''}`, pct(p.mape_truth, p.mape_truth_se2)]
      for (const e of eps) {
        const b = p.eps[e]
        const pubT = split === 0.5 && name === 'pitot' ? PUBLISHED.tightness[pool]?.[Number(e)] : undefined
        row.push(b ? pct(b.coverage) : '-', b ? `${pct(b.tightness, b.tightness_se2)}${pubT !== undefined ? ` [${pubT}]` : ''}` : '-', b ? pct(b.overprovision) : '-')
      }
      lines.push(row)
    }
  }
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c].length)))
  return lines.map((l) => l.map((v, c) => v.padEnd(widths[c])).join('  ')).join('\n') + '\n'
}
