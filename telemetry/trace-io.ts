/**
 * The canonical trace file: CSV with a header (`time_s`, `cpu_util_<k>`..., disk columns, further
 * metrics), all cells numeric, plus a JSON sidecar `<name>.meta.json` with units and fingerprint.
 * The cells are plain numbers, so a CSV library would add nothing but quoting we never emit.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { InvalidInputError, NotFoundError } from '../common/errors.js'
import type { Trace, TraceJson, TraceMeta } from './types.js'

/** Columns every trace file must have (besides at least one `cpu_util_<k>`). */
export const REQUIRED_COLUMNS = ['time_s', 'disk_read_bytes_per_s', 'disk_write_bytes_per_s'] as const

/** The sidecar path of a trace CSV: `run.csv` -> `run.meta.json`. */
export function sidecarPath(csvPath: string): string {
  return csvPath.replace(/\.csv$/i, '') + '.meta.json'
}

/**
 * Checks a trace's shape: required columns, `time_s` first, at least one row, equal row lengths,
 * finite cells. `where` names the source in error messages.
 * @throws InvalidInputError describing the first problem found.
 */
export function validateTrace(trace: Trace, where = 'trace'): Trace {
  const { columns, rows } = trace
  if (!Array.isArray(columns) || columns.length === 0) throw new InvalidInputError(`${where}: no columns`)
  if (columns[0] !== 'time_s') throw new InvalidInputError(`${where}: first column must be time_s, got '${columns[0]}'`)
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c))
  if (!columns.some((c) => /^cpu_util_\d+$/.test(c))) missing.push('cpu_util_<k>' as never)
  if (missing.length > 0) throw new InvalidInputError(`${where}: missing column(s) ${missing.join(', ')}`)
  const dup = columns.find((c, i) => columns.indexOf(c) !== i)
  if (dup !== undefined) throw new InvalidInputError(`${where}: duplicate column '${dup}'`)
  if (!Array.isArray(rows) || rows.length === 0) throw new InvalidInputError(`${where}: no data rows`)
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw new InvalidInputError(`${where}: row ${i + 1} has ${Array.isArray(row) ? row.length : 0} cells, header has ${columns.length}`)
    }
    const j = row.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v))
    if (j >= 0) throw new InvalidInputError(`${where}: row ${i + 1}, column ${columns[j]}: not a finite number (${String(row[j])})`)
  })
  return trace
}

/** Parses CSV text into a validated trace. `where` names the source in error messages. */
export function parseTraceCsv(text: string, where = 'trace'): Trace {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  if (lines.length === 0) throw new InvalidInputError(`${where}: empty file`)
  const columns = lines[0]!.split(',').map((c) => c.trim())
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',')
    if (cells.length !== columns.length) {
      throw new InvalidInputError(`${where}: line ${i + 2} has ${cells.length} cells, header has ${columns.length}`)
    }
    return cells.map((cell, j) => {
      const s = cell.trim()
      const v = s === '' ? NaN : Number(s)
      if (!Number.isFinite(v)) throw new InvalidInputError(`${where}: line ${i + 2}, column ${columns[j]}: not a number ('${s}')`)
      return v
    })
  })
  return validateTrace({ columns, rows }, where)
}

/**
 * Reads a trace CSV and, when present, its `.meta.json` sidecar.
 * @throws NotFoundError if the file does not exist; InvalidInputError for bad content.
 */
export function readTraceCsv(path: string): Trace {
  let text: string
  try { text = readFileSync(path, 'utf8') } catch (e) {
    throw new NotFoundError(`cannot read trace ${path}: ${(e as Error).message}`)
  }
  const trace = parseTraceCsv(text, path)
  const side = sidecarPath(path)
  if (existsSync(side)) {
    try { trace.meta = JSON.parse(readFileSync(side, 'utf8')) as TraceMeta } catch (e) {
      throw new InvalidInputError(`trace sidecar ${side} is not valid JSON: ${(e as Error).message}`)
    }
  }
  return trace
}

/** Formats a cell compactly: integers as-is, others to 10 significant digits (no float noise). */
function cell(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)))
}

/** The CSV text of a trace (header + one line per row). */
export function formatTraceCsv(trace: Trace): string {
  return [trace.columns.join(','), ...trace.rows.map((r) => r.map(cell).join(','))].join('\n') + '\n'
}

/**
 * Writes a trace as CSV and its meta (units, fingerprint, ...) as the JSON sidecar.
 * Creates the parent directory. The trace is validated first.
 */
export function writeTraceCsv(trace: Trace, path: string): void {
  validateTrace(trace, path)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, formatTraceCsv(trace))
  writeFileSync(sidecarPath(path), JSON.stringify(trace.meta ?? { units: defaultUnits(trace.columns) }, null, 2) + '\n')
}

/** The JSON form of a trace: columns, rows and meta (null when there is none). */
export function traceToJson(trace: Trace): TraceJson {
  return { columns: [...trace.columns], rows: trace.rows.map((r) => [...r]), meta: trace.meta ?? null }
}

/** Parses the JSON form back into a validated trace. */
export function traceFromJson(json: unknown, where = 'trace JSON'): Trace {
  if (typeof json !== 'object' || json === null) throw new InvalidInputError(`${where}: not an object`)
  const { columns, rows, meta } = json as Partial<TraceJson>
  const trace = validateTrace({ columns: columns as string[], rows: rows as number[][] }, where)
  if (meta) trace.meta = meta
  return trace
}

/** Units inferred from column names, for traces made without a sampler. */
export function defaultUnits(columns: string[]): Record<string, string> {
  return Object.fromEntries(columns.map((c) => [c, unitOf(c)]))
}

function unitOf(column: string): string {
  if (column === 'time_s') return 's'
  if (column.startsWith('cpu_util_')) return '%'
  if (column.endsWith('_bytes_per_s')) return 'B/s'
  if (column.endsWith('_per_s')) return '1/s'
  if (column.endsWith('_bytes')) return 'B'
  if (column.endsWith('_slowdown')) return 'ratio'
  return ''
}

/** The values of one column as a Float64Array. @throws InvalidInputError if absent. */
export function column(trace: Trace, name: string): Float64Array {
  const j = trace.columns.indexOf(name)
  if (j < 0) throw new InvalidInputError(`trace has no column '${name}'`)
  return Float64Array.from(trace.rows, (r) => r[j]!)
}
