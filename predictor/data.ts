/**
 * Loads the Pitot CSV format: platforms.csv and workloads.csv (one row of side information per
 * entity) and observation files (mf.csv isolated, if2.csv with one co-runner, any file with
 * more `interferenceN_idx` columns). Runtimes are kept as ln(t): the model works in log space.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { InvalidInputError, NotFoundError } from '../common/errors.js'
import type { EntityTable, Observations, Dataset } from './types.js'

/** Columns of an entity table that are labels, not side information. */
const LABEL_COLUMNS = new Set(['platform', 'workload', 'runtime', 'device', 'suite'])

function readCsv(path: string): { header: string[]; rows: string[][] } {
  if (!existsSync(path)) throw new NotFoundError(`missing data file ${path}`)
  let records: string[][]
  try {
    records = parse(readFileSync(path, 'utf8'), { skip_empty_lines: true, trim: true }) as string[][]
  } catch (err) {
    throw new InvalidInputError(`malformed CSV ${path}: ${(err as Error).message}`)
  }
  if (records.length === 0) throw new InvalidInputError(`empty CSV ${path}: no header`)
  const [header, ...rows] = records
  return { header, rows }
}

function num(value: string, path: string, line: number, column: string): number {
  const v = value === '' ? NaN : Number(value)
  if (!Number.isFinite(v)) throw new InvalidInputError(`${path}:${line}: column '${column}' is not a number: '${value}'`)
  return v
}

/** Reads platforms.csv or workloads.csv: `<kind>_idx`, a name column, numeric features. */
export function loadEntities(path: string, kind: 'platform' | 'workload'): EntityTable {
  const { header, rows } = readCsv(path)
  const idxCol = header.indexOf(`${kind}_idx`)
  if (idxCol < 0) throw new InvalidInputError(`${path}: no '${kind}_idx' column`)
  const nameCol = header.indexOf(kind)
  const featureCols = header.map((_, c) => c).filter((c) => c !== idxCol && !LABEL_COLUMNS.has(header[c]))
  const count = rows.length
  const names = new Array<string>(count)
  const features = new Float32Array(count * featureCols.length)
  const seen = new Uint8Array(count)
  rows.forEach((row, r) => {
    if (row.length !== header.length) throw new InvalidInputError(`${path}:${r + 2}: ${row.length} fields, header has ${header.length}`)
    const idx = num(row[idxCol], path, r + 2, header[idxCol])
    if (!Number.isInteger(idx) || idx < 0 || idx >= count || seen[idx]) {
      throw new InvalidInputError(`${path}:${r + 2}: ${kind}_idx ${idx} is not a unique index in 0..${count - 1}`)
    }
    seen[idx] = 1
    names[idx] = nameCol >= 0 ? row[nameCol] : String(idx)
    featureCols.forEach((c, f) => { features[idx * featureCols.length + f] = num(row[c], path, r + 2, header[c]) })
  })
  return { names, columns: featureCols.map((c) => header[c]), dim: featureCols.length, count, features }
}

/**
 * Reads one observation file. The number of `interferenceN_idx` columns is the pool's arity;
 * every index is checked against the entity counts so a bad row fails here, not in training.
 */
export function loadObservations(path: string, platforms: number, workloads: number): Observations {
  const { header, rows } = readCsv(path)
  const col = (name: string): number => {
    const c = header.indexOf(name)
    if (c < 0) throw new InvalidInputError(`${path}: no '${name}' column`)
    return c
  }
  const pc = col('platform_idx'), wc = col('workload_idx'), tc = col('t')
  const kcs = header.map((h, c) => (/^interference\d+_idx$/.test(h) ? c : -1)).filter((c) => c >= 0)
  const n = rows.length, arity = kcs.length
  const obs: Observations = {
    arity, platform: new Int32Array(n), workload: new Int32Array(n),
    corunners: new Int32Array(n * arity), logT: new Float64Array(n),
  }
  const index = (v: string, line: number, name: string, max: number): number => {
    const i = num(v, path, line, name)
    if (!Number.isInteger(i) || i < 0 || i >= max) throw new InvalidInputError(`${path}:${line}: unknown ${name} ${v} (valid 0..${max - 1})`)
    return i
  }
  rows.forEach((row, r) => {
    const line = r + 2
    if (row.length !== header.length) throw new InvalidInputError(`${path}:${line}: ${row.length} fields, header has ${header.length}`)
    obs.platform[r] = index(row[pc], line, 'platform_idx', platforms)
    obs.workload[r] = index(row[wc], line, 'workload_idx', workloads)
    kcs.forEach((c, k) => { obs.corunners[r * arity + k] = index(row[c], line, header[c], workloads) })
    const t = num(row[tc], path, line, 't')
    if (t <= 0) throw new InvalidInputError(`${path}:${line}: runtime t must be > 0, got ${t}`)
    obs.logT[r] = Math.log(t)
  })
  return obs
}

/** Observation files of a data directory: mf.csv and if*.csv, sorted by name. */
export function observationFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new NotFoundError(`data directory ${dir} does not exist`)
  return readdirSync(dir).filter((f) => f === 'mf.csv' || /^if\d+\.csv$/.test(f)).sort().map((f) => join(dir, f))
}

/**
 * Loads the observations of `dir`, merged into one pool per arity (pool 0 = isolated).
 * @throws InvalidInputError when no observation file exists or a row is malformed.
 */
export function loadPools(dir: string, platforms: number, workloads: number): Observations[] {
  const files = observationFiles(dir)
  if (files.length === 0) throw new InvalidInputError(`${dir}: no observation files (mf.csv, if2.csv, ...)`)
  const pools: Observations[] = []
  for (const f of files) {
    const obs = loadObservations(f, platforms, workloads)
    pools[obs.arity] = pools[obs.arity] ? concatObservations(pools[obs.arity], obs) : obs
  }
  // Fill missing arities with empty pools so callers can index by arity without holes.
  for (let a = 0; a < pools.length; a++) pools[a] ??= emptyObservations(a)
  return pools
}

/** An observation set with no rows. */
export function emptyObservations(arity: number): Observations {
  return { arity, platform: new Int32Array(0), workload: new Int32Array(0), corunners: new Int32Array(0), logT: new Float64Array(0) }
}

/** Concatenates two observation sets of the same arity. */
export function concatObservations(a: Observations, b: Observations): Observations {
  const cat = <T extends Int32Array | Float64Array>(x: T, y: T): T => {
    const out = new (x.constructor as new (n: number) => T)(x.length + y.length)
    out.set(x); out.set(y, x.length)
    return out
  }
  return {
    arity: a.arity, platform: cat(a.platform, b.platform), workload: cat(a.workload, b.workload),
    corunners: cat(a.corunners, b.corunners), logT: cat(a.logT, b.logT),
  }
}

/** Loads a whole dataset directory (entity tables + observation pools). */
export function loadDataset(dir: string): Dataset {
  const platforms = loadEntities(join(dir, 'platforms.csv'), 'platform')
  const workloads = loadEntities(join(dir, 'workloads.csv'), 'workload')
  return { platforms, workloads, pools: loadPools(dir, platforms.count, workloads.count) }
}
