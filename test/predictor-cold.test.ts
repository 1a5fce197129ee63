import t from 'tap'
import { join } from 'node:path'
import { Rng } from '../ml/index.js'
import { rowGroup, rowKind } from '../predictor/cold-start.js'
import { calibrateClustered, clusteredMargin, conformalMargin } from '../predictor/conformal.js'
import { loadDataset } from '../predictor/data.js'
import { evaluatePools } from '../predictor/evaluate.js'
import { coldConfidence, fitPredictor } from '../predictor/fit.js'
import type { PoolMetrics } from '../predictor/metrics.js'
import { loadPredictor } from '../predictor/predictor.js'
import { selectRows, splitRows } from '../predictor/split.js'
import { saveModel } from '../predictor/store.js'
import { DEFAULT_CONFIG, type Observations } from '../predictor/types.js'
import { updatePredictor } from '../predictor/update.js'
import { TINY, writeSynth } from './helpers/predictor-synth.js'
import { tempDir } from './helpers/temp-dir.js'

t.test('clustered margin covers new entities where the pooled rank does not', async (t) => {
  // Each entity shifts all of its rows by one draw (its feature-extrapolation error), so 1,000
  // rows of 25 entities carry about 25 draws' worth of information on the tail.
  const rng = new Rng(4)
  const eps = 0.1, draws = 150
  const rows = (groups: number, per: number) => {
    const res = new Float64Array(groups * per), group = new Int32Array(groups * per)
    for (let g = 0; g < groups; g++) { const off = rng.normal(); for (let i = 0; i < per; i++) { res[g * per + i] = off + 0.2 * rng.normal(); group[g * per + i] = g } }
    return { res, group }
  }
  const fresh = rows(2000, 5).res
  const coverage = (m: number) => fresh.filter((v) => v <= m).length / fresh.length
  let pooledOk = 0, clusteredOk = 0, sumClustered = 0
  for (let d = 0; d < draws; d++) {
    const cal = rows(25, 40)
    if (coverage(conformalMargin(cal.res, eps)) >= 1 - eps) pooledOk++
    const c = coverage(clusteredMargin(cal.res, cal.group, eps, 0.9, 400, d + 1))
    if (c >= 1 - eps) clusteredOk++
    sumClustered += c
  }
  // The entity bootstrap is somewhat optimistic with few entities (~84% of draws at 25, ~77% at 15, for 90% asked).
  t.ok(clusteredOk / draws >= 0.75, `clustered: coverage >= ${1 - eps} for ${clusteredOk}/${draws} calibration draws (asked 90%)`)
  t.ok(pooledOk / draws <= 0.6, `pooled rank: only ${pooledOk}/${draws} draws (rows treated as independent)`)
  t.ok(sumClustered / draws < 0.985, `clustered margin not vacuous: mean coverage ${(sumClustered / draws).toFixed(3)}`)
  const one = rows(1, 50)
  t.equal(clusteredMargin(one.res, one.group, eps, 0.9), Infinity, 'one entity says nothing about the next')
  t.equal(clusteredMargin(one.res, one.group, eps, 0), conformalMargin(one.res, eps), 'confidence 0: the pooled rank')
  const c = calibrateClustered([0, 1, 2], [], 2, eps, [0, 1, 2], 0.9)
  t.equal(c.margin, Infinity, 'too few rows: no finite bound')
})

t.test('rows are assigned to the pool of the unseen entity they touch', async (t) => {
  const obs: Observations = { arity: 1, platform: Int32Array.of(0, 2, 0, 2, 0), workload: Int32Array.of(0, 0, 3, 3, 0), corunners: Int32Array.of(1, 1, 1, 1, 3), logT: new Float64Array(5) }
  // Platform 2 and workload 3 unseen; platform 1 and workload 9 would be past the tables' end.
  const seen = { platform: [1, 1, 0], workload: [1, 1, 1, 0] }
  t.same(Array.from({ length: 5 }, (_, r) => rowKind(obs, r, seen)), [null, 'platform', 'workload', 'both', 'corunner'])
  t.same(Array.from({ length: 5 }, (_, r) => rowGroup(obs, r, seen, 3)), [-1, 2, 6, 2, 6])
  t.equal(rowKind({ ...obs, platform: Int32Array.of(5, 0, 0, 0, 0) }, 0, seen), 'platform', 'an index past the mask is unseen (added by features)')
})

// Never-seen test entities: 12 of 60 platforms and 12 of 60 workloads leave training entirely.
const HELD = 12
function coldSetup(seed: number) {
  const synth = writeSynth({ platforms: 60, workloads: 60, isolated: 3000, paired: 5000, noise: 0.05, seed }, tempDir(t, 'pitot-synth-'))
  const ds = loadDataset(synth.dir)
  const split = splitRows(ds.pools, 0.7, 2)
  const touches = (a: number, r: number) => {
    const o = ds.pools[a]
    if (o.platform[r] < HELD || o.workload[r] < HELD) return true
    for (let k = 0; k < a; k++) if (o.corunners[r * a + k] < HELD) return true
    return false
  }
  const part = (rows: Int32Array[], held: boolean) => rows.map((idx, a) => idx.filter((r) => touches(a, r) === held))
  return { ds, split, part }
}

t.test('cold-start bounds cover rows of never-seen platforms and workloads; seen pools untouched', async (t) => {
  const eps = ['0.1', '0.05']
  const sum = (acc: Record<string, { rows: number; cov: Record<string, number> }>, m: Record<string, PoolMetrics>) => {
    for (const [pool, v] of Object.entries(m)) {
      const a = (acc[pool] ??= { rows: 0, cov: {} })
      a.rows += v.rows
      for (const e of eps) a.cov[e] = (a.cov[e] ?? 0) + v.rows * v.eps[e].coverage
    }
  }
  const withProbe = {}, without = {}
  for (const seed of [1, 2]) {
    const { ds, split, part } = coldSetup(seed)
    const fit = (coldShare: number) => fitPredictor(ds, part(split.train, false), part(split.val, false), { ...DEFAULT_CONFIG, ...TINY, coldShare })
    const f = fit(0.25), g = fit(0)
    sum(withProbe, evaluatePools(f.model, f.calibration, ds.pools, part(split.test, true), f.coldStart))
    sum(without, evaluatePools(g.model, g.calibration, ds.pools, part(split.test, true), g.coldStart))
    // The probe is a separate model: the main model, its seen calibration and seen-row metrics are identical.
    t.same(evaluatePools(f.model, f.calibration, ds.pools, part(split.test, false), f.coldStart), evaluatePools(g.model, g.calibration, ds.pools, part(split.test, false), g.coldStart), `seed ${seed}: seen pools identical with and without the probe`)
    t.ok(f.coldStart.calibration?.platform && f.coldStart.calibration.workload, 'platform and workload pools calibrated')
  }
  for (const pool of ['0', '1']) {
    for (const e of eps) {
      const cov = (withProbe as Record<string, { rows: number; cov: Record<string, number> }>)[pool]
      const old = (without as Record<string, { rows: number; cov: Record<string, number> }>)[pool]
      t.ok(cov.cov[e] / cov.rows >= 1 - Number(e), `pool ${pool}, eps ${e}: cold coverage ${(cov.cov[e] / cov.rows).toFixed(3)} over ${cov.rows} rows`)
      if (e === '0.1') t.ok(old.cov[e] / old.rows < 1 - Number(e), `pool ${pool}: seen margins on the same rows only ${(old.cov[e] / old.rows).toFixed(3)}`)
    }
  }
})

t.test('Predictor API, saved model and update use the cold pools', async (t) => {
  const { ds, split, part } = coldSetup(3)
  const f = fitPredictor(ds, part(split.train, false), part(split.val, false), { ...DEFAULT_CONFIG, ...TINY, coldShare: 0.25 })
  const dir = join(tempDir(t, 'pitot-cold-'), 'model')
  const rows = (r: Int32Array[]) => ds.pools.map((o, a) => selectRows(o, r[a]))
  saveModel(dir, { model: f.model, platforms: ds.platforms, workloads: ds.workloads, eps: f.eps, calibration: f.calibration, coldStart: f.coldStart, info: {} },
    { train: rows(part(split.train, false)), cal: rows(part(split.val, false)), cold: f.coldRows })
  const p = loadPredictor(dir)
  const cold = f.coldStart.calibration!
  t.same(p.calibration(0, 0.1, 'platform'), cold.platform![0][0], 'cold margins survive saving')
  t.same(p.calibration(1, 0.05, 'corunner'), cold.corunner![1][1])

  // Held-out platform 0 is in the table but never trained on; the same features given raw are a new entity.
  const feats = Array.from(ds.platforms.features.subarray(0, ds.platforms.dim))
  const inTable = { platform: 0, workload: 20 }, raw = { platform: { features: feats }, workload: 20 }
  const [b0, b1] = p.bound([inTable, raw], 0.1)
  t.ok(Math.abs(b0 / b1 - 1) < 1e-5, `features-only entity predicted and bounded exactly like an unseen table entity (${b0.toFixed(1)} vs ${b1.toFixed(1)})`)
  const c = p.calibration(0, 0.1, 'platform'), s = p.calibration(0, 0.1)
  t.ok(c.margin !== s.margin || c.head !== s.head, 'cold rows do not use the seen calibration')

  // A new ε is calibrated on demand from the stored cold rows, as from the probe's own rows.
  const platformRows = f.coldRows!.platform![0]
  t.same(p.calibration(0, 0.2, 'platform'), calibrateClustered(platformRows.y, platformRows.pred, f.model.dims.heads, 0.2, platformRows.group, coldConfidence(f.model.config)))

  // Candidate scoring mixes seen and unseen platforms and co-runners: each takes its own pool.
  const plats = Int32Array.of(0, 30, 30, 0, 45), kos = Int32Array.of(30, 31, 2, 5, 40)
  const sc = p.scoreCandidates(25, plats, kos, 1, 0.05)
  const per = p.bound(Array.from(plats, (j, i) => ({ platform: j, workload: 25, corunners: [kos[i]] })), 0.05)
  for (let i = 0; i < plats.length; i++) t.ok(Math.abs(sc.bound[i] / per[i] - 1) < 1e-5, `candidate ${i}: ${sc.bound[i].toFixed(1)} = ${per[i].toFixed(1)}`)

  // Rows of a features-only entity cannot be learned by an update; rows of a table entity can.
  const added = p.platform({ features: feats, name: 'new' })
  const onAdded: Observations[] = [{ arity: 0, platform: Int32Array.of(added), workload: Int32Array.of(1), corunners: new Int32Array(0), logT: Float64Array.of(5) }]
  t.throws(() => updatePredictor(p, onAdded), { code: 'EM_INVALID_INPUT', message: /added by its features only/ })
  const heldRows = part(split.test, true).map((idx, a) => idx.filter((r) => ds.pools[a].platform[r] === 0 && ds.pools[a].workload[r] >= HELD && (a === 0 || ds.pools[a].corunners[r] >= HELD)))
  t.ok(heldRows[0].length > 3, `${heldRows[0].length} isolated rows on platform 0`)
  const obs0 = selectRows(ds.pools[0], heldRows[0])
  t.equal(p.kind(obs0, 0), 'platform')
  updatePredictor(p, rows(heldRows), { steps: 5, save: true })
  t.equal(p.kind(obs0, 0), null, 'platform 0 is trained on after the update')
  const [again, fresh] = p.predict([{ platform: added, workload: 20 }, { platform: { features: feats }, workload: 20 }])
  t.ok(Number.isFinite(again) && Math.abs(again / fresh - 1) < 1e-5, 'an entity added by features is still predicted after the update')
  const q = loadPredictor(dir)
  t.equal(q.kind(obs0, 0), null, 'and stays so in the saved model')
  t.same(q.calibration(0, 0.1, 'platform'), cold.platform![0][0], 'cold margins kept by the update')
  t.ok(q.storedRows().cold?.platform, 'cold rows kept by the update')
})
