/**
 * Target traces for generation. Unlike the canonical trace reader (telemetry/trace-io.ts), this
 * one accepts holes, because the generator must still work on imperfect traces (MimeSys §7.4):
 * empty cells, dropped rows (gaps in time_s) and absent metric columns become NaN; everything
 * else that is wrong (no time_s, no known metric, text in a cell, time going backwards) is refused.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { InvalidInputError, NotFoundError } from '../common/errors.js'
import type { Target } from './types.js'

/** Names of the target CSVs in a folder, sorted. @throws NotFoundError (no such folder), InvalidInputError (no .csv in it) */
export function targetFiles(dir: string): string[] {
  let names: string[]
  try { names = readdirSync(dir) } catch { throw new NotFoundError(`cannot read the traces folder ${dir}`) }
  const files = names.filter((f) => f.endsWith('.csv')).sort()
  if (files.length === 0) throw new InvalidInputError(`no .csv traces in ${dir}`)
  return files
}

/** Reads a target CSV for the given metrics. @throws NotFoundError, InvalidInputError */
export function readTarget(path: string, metrics: string[]): Target {
  let text: string
  try { text = readFileSync(path, 'utf8') } catch { throw new NotFoundError(`cannot read target trace ${path}`) }
  return parseTarget(text, metrics, basename(path).replace(/\.csv$/i, ''))
}

/** Parses target CSV text; see the module comment for what is tolerated. */
export function parseTarget(text: string, metrics: string[], name = 'target'): Target {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  if (lines.length < 2) throw new InvalidInputError(`${name}: needs a header and at least one data row`)
  const header = lines[0]!.split(',').map((c) => c.trim())
  const ti = header.indexOf('time_s')
  if (ti < 0) throw new InvalidInputError(`${name}: no time_s column (header: ${header.join(', ')})`)
  const cols = metrics.map((m) => header.indexOf(m))
  if (cols.every((c) => c < 0)) throw new InvalidInputError(`${name}: none of the metrics ${metrics.join(', ')} is present`)
  const times: number[] = []
  const raw: Float64Array[] = []
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',')
    if (cells.length !== header.length) throw new InvalidInputError(`${name}: line ${i + 2} has ${cells.length} cells, header has ${header.length}`)
    const num = (j: number): number => {
      const s = cells[j]!.trim()
      if (s === '' || s.toLowerCase() === 'nan') return NaN
      const v = Number(s)
      if (!Number.isFinite(v)) throw new InvalidInputError(`${name}: line ${i + 2}, column ${header[j]}: not a number ('${s}')`)
      if (j !== ti && v < 0) throw new InvalidInputError(`${name}: line ${i + 2}, column ${header[j]}: negative value ${v}`)
      return v
    }
    const t = num(ti)
    if (Number.isNaN(t)) throw new InvalidInputError(`${name}: line ${i + 2}: time_s is empty`)
    if (times.length > 0 && t <= times[times.length - 1]!) throw new InvalidInputError(`${name}: line ${i + 2}: time_s ${t} does not increase`)
    times.push(t)
    raw.push(Float64Array.from(cols, (c) => (c < 0 ? NaN : num(c))))
  })
  const periodS = medianStep(times)
  // Dropped rows show as gaps in time: put NaN rows back so windows stay on the time grid.
  const rows: Float64Array[] = []
  times.forEach((t, i) => {
    if (i > 0) {
      const missing = Math.round((t - times[i - 1]!) / periodS) - 1
      for (let j = 0; j < missing; j++) rows.push(new Float64Array(metrics.length).fill(NaN))
    }
    rows.push(raw[i]!)
  })
  return { name, metrics: [...metrics], rows, periodS }
}

/**
 * Fills holes by linear interpolation over time per metric (nearest value at the ends). A metric
 * with no value at all stays NaN: the model is told it is missing rather than shown a guess.
 */
export function fillGaps(target: Target): Target {
  const rows = target.rows.map((r) => Float64Array.from(r))
  for (let n = 0; n < target.metrics.length; n++) {
    const known = rows.map((r, t) => (Number.isNaN(r[n]!) ? -1 : t)).filter((t) => t >= 0)
    if (known.length === 0) continue
    let j = 0
    for (let t = 0; t < rows.length; t++) {
      while (j + 1 < known.length && known[j + 1]! <= t) j++
      const a = known[j]!
      const b = known[Math.min(j + 1, known.length - 1)]!
      if (t <= a || a === b) rows[t]![n] = rows[a]![n]!
      else rows[t]![n] = rows[a]![n]! + (rows[b]![n]! - rows[a]![n]!) * (t - a) / (b - a)
    }
  }
  return { ...target, rows }
}

function medianStep(times: number[]): number {
  if (times.length < 2) return 1
  const d = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b)
  // The lower median: dropped rows only ever lengthen steps.
  return d[Math.floor((d.length - 1) / 2)]!
}
