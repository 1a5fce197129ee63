/**
 * A model directory: `params.safetensors` (weights, learned features, baseline), `model.json`
 * (resolved config, entity tables, scalers, calibration, cold-start maps) and the observed rows
 * (`rows/`, the loader's CSV format) that warm-started updates train and recalibrate on, plus
 * `rows/cold/`: the cold probe's predictions, from which bounds for a new ε are calibrated.
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidInputError, NotFoundError } from '../common/errors.js'
import { loadParams, saveParams } from '../ml/index.js'
import { COLD_KINDS, denseColdRows, type ColdKind, type ColdRows, type ResidualPool } from './cold-start.js'
import type { ColdStart } from './fit.js'
import type { Calibration } from './conformal.js'
import { loadPools } from './data.js'
import { PitotModel, type Standardizer } from './model.js'
import type { EntityTable, ModelConfig, Observations } from './types.js'

const FORMAT = 'edgemime-pitot/1'

interface EntityJson { names: string[]; columns: string[]; features: number[][] }

interface ModelJson {
  format: string
  config: ModelConfig
  platforms: EntityJson
  workloads: EntityJson
  scalers: { platform: { mean: number[]; std: number[] }; workload: { mean: number[]; std: number[] } }
  eps: number[]
  calibration: Calibration[][]
  coldStart: ColdStart
  info: Record<string, unknown>
}

/** Everything a saved model holds. */
export interface StoredModel {
  model: PitotModel
  platforms: EntityTable
  workloads: EntityTable
  eps: number[]
  calibration: Calibration[][]
  coldStart: ColdStart
  info: Record<string, unknown>
}

/** The first `count` entities of a table: those added by features at run time have no weights to save. */
const toJson = (t: EntityTable, count: number): EntityJson => ({
  names: t.names.slice(0, count), columns: t.columns,
  features: Array.from({ length: count }, (_, e) => Array.from(t.features.subarray(e * t.dim, (e + 1) * t.dim))),
})
const fromJson = (j: EntityJson): EntityTable => ({
  names: j.names, columns: j.columns, dim: j.columns.length, count: j.names.length,
  features: Float32Array.from(j.features.flat()),
})
const scaler = (s: Standardizer) => ({ mean: Array.from(s.mean), std: Array.from(s.std) })

function writeRows(path: string, obs: Observations): void {
  const A = obs.arity
  const head = ['platform_idx', 'workload_idx', ...Array.from({ length: A }, (_, k) => `interference${k}_idx`), 't']
  const lines = [head.join(',')]
  for (let r = 0; r < obs.logT.length; r++) {
    const ks = Array.from({ length: A }, (_, k) => obs.corunners[r * A + k])
    lines.push([obs.platform[r], obs.workload[r], ...ks, Math.exp(obs.logT[r])].join(','))
  }
  writeFileSync(path, lines.join('\n') + '\n')
}

/** Writes a model directory; `rows` = {train, cal} observation pools to keep for updates. */
export function saveModel(dir: string, s: StoredModel, rows: StoredRows): void {
  mkdirSync(dir, { recursive: true })
  const m = s.model
  saveParams(join(dir, 'params.safetensors'), m.params(), { format: FORMAT })
  const json: ModelJson = {
    format: FORMAT, config: m.config, platforms: toJson(s.platforms, m.bx.value.length), workloads: toJson(s.workloads, m.by.value.length),
    scalers: { platform: scaler(m.scalers.platform), workload: scaler(m.scalers.workload) },
    eps: s.eps, calibration: s.calibration, coldStart: s.coldStart, info: s.info,
  }
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json))
  for (const [part, pools] of [['train', rows.train], ['cal', rows.cal]] as const) {
    mkdirSync(join(dir, 'rows', part), { recursive: true })
    // Isolated rows go to mf.csv, others to if<arity+1>.csv, as in the dataset.
    pools.forEach((obs, a) => writeRows(join(dir, 'rows', part, a === 0 ? 'mf.csv' : `if${a + 1}.csv`), obs))
  }
  if (rows.cold) writeColdRows(join(dir, 'rows', 'cold'), rows.cold)
}

/** The cold probe's rows, one CSV per kind and arity: entity group, ln t, every head's log prediction. */
function writeColdRows(dir: string, cold: ColdRows): void {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const kind of COLD_KINDS) cold[kind]?.forEach((p, a) => {
    const H = p.y.length ? p.pred.length / p.y.length : 0
    const lines = [['group', 'y', ...Array.from({ length: H }, (_, h) => `head${h}`)].join(',')]
    for (let r = 0; r < p.y.length; r++) lines.push([p.group[r], p.y[r], ...p.pred.subarray(r * H, (r + 1) * H)].join(','))
    writeFileSync(join(dir, `${kind}-${a}.csv`), lines.join('\n') + '\n')
  })
}

function readColdRows(dir: string): ColdRows | undefined {
  if (!existsSync(dir)) return undefined
  const out: ColdRows = {}
  for (const f of readdirSync(dir)) {
    const m = /^(\w+)-(\d+)\.csv$/.exec(f)
    const kind = m?.[1] as ColdKind | undefined
    if (!m || !COLD_KINDS.includes(kind!)) continue
    const lines = readFileSync(join(dir, f), 'utf8').trim().split('\n').slice(1).filter(Boolean)
    const rows = lines.map((l) => l.split(',').map(Number))
    const H = rows.length ? rows[0].length - 2 : 0
    const pool: ResidualPool = { group: Int32Array.from(rows, (r) => r[0]), y: Float64Array.from(rows, (r) => r[1]), pred: new Float32Array(rows.length * H) }
    rows.forEach((r, i) => pool.pred.set(r.slice(2), i * H))
    ;(out[kind!] ??= [])[Number(m[2])] = pool
  }
  return denseColdRows(out)
}

/** Reads a model directory written by {@link saveModel}. */
export function loadModel(dir: string): StoredModel {
  const path = join(dir, 'model.json')
  if (!existsSync(path)) throw new NotFoundError(`${dir} is not a predictor model directory (no model.json)`)
  const j = JSON.parse(readFileSync(path, 'utf8')) as ModelJson
  if (j.format !== FORMAT) throw new InvalidInputError(`${path}: unknown model format '${j.format}'`)
  const platforms = fromJson(j.platforms), workloads = fromJson(j.workloads)
  const sc = (x: { mean: number[]; std: number[] }): Standardizer => ({ mean: Float32Array.from(x.mean), std: Float32Array.from(x.std) })
  const zero = { platform: new Float32Array(platforms.count), workload: new Float32Array(workloads.count), iterations: 0 }
  const model = new PitotModel(j.config, platforms, workloads, { platform: sc(j.scalers.platform), workload: sc(j.scalers.workload) }, zero)
  loadParams(join(dir, 'params.safetensors'), model.params())
  // JSON has no Infinity: a pool too small for an ε was stored as null.
  const finite = (cs: Calibration[][]) => cs.map((l) => l.map((c) => ({ ...c, margin: c.margin ?? Infinity })))
  const coldStart: ColdStart = { ...j.coldStart }
  if (coldStart.calibration) coldStart.calibration = Object.fromEntries(Object.entries(coldStart.calibration).map(([k, cs]) => [k, finite(cs)]))
  return { model, platforms, workloads, eps: j.eps, calibration: finite(j.calibration), coldStart, info: j.info }
}

/** Train and calibration rows kept with a model, pools indexed by arity, and the cold probe's rows. */
export interface StoredRows { train: Observations[]; cal: Observations[]; cold?: ColdRows }

/** The stored train and calibration rows of a model directory. */
export function loadStoredRows(dir: string, platforms: number, workloads: number): StoredRows {
  return {
    train: loadPools(join(dir, 'rows', 'train'), platforms, workloads), cal: loadPools(join(dir, 'rows', 'cal'), platforms, workloads),
    cold: readColdRows(join(dir, 'rows', 'cold')),
  }
}
