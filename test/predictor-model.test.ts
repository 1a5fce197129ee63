import t from 'tap'
import { loadDataset } from '../predictor/data.js'
import { evaluatePools } from '../predictor/evaluate.js'
import { fitPredictor } from '../predictor/fit.js'
import { mape } from '../predictor/metrics.js'
import { splitRows } from '../predictor/split.js'
import { DEFAULT_CONFIG } from '../predictor/types.js'
import { TINY, writeSynth } from './helpers/predictor-synth.js'
import { tempDir } from './helpers/temp-dir.js'

const synth = writeSynth({ platforms: 20, workloads: 24, isolated: 480, paired: 900, noise: 0.01, seed: 2 }, tempDir(t, 'pitot-synth-'))
const ds = loadDataset(synth.dir)
const split = splitRows(ds.pools, 0.8, 4)

t.test('a planted low-rank log-runtime matrix with interference is recovered', async (t) => {
  const f = fitPredictor(ds, split.train, split.val, { ...DEFAULT_CONFIG, ...TINY })
  const m = evaluatePools(f.model, f.calibration, ds.pools, split.test)
  // Baseline-only error on the same rows shows what the factorisation and interference add.
  const e = f.model.embed()
  ds.pools.forEach((obs, a) => {
    const idx = split.test[a]
    const y = Float64Array.from(idx, (r) => obs.logT[r])
    const base = Float64Array.from(idx, (r) => e.bx[obs.platform[r]] + e.by[obs.workload[r]])
    const b = mape(y, base).mape
    t.ok(m[String(a)].mape < 0.5 * b, `pool ${a}: model ${(100 * m[String(a)].mape).toFixed(2)}% vs baseline ${(100 * b).toFixed(2)}%`)
    t.ok(m[String(a)].mape < 0.05, `pool ${a}: MAPE ${(100 * m[String(a)].mape).toFixed(2)}% below 5% (noise 1%)`)
    t.ok(m[String(a)].eps['0.1'].coverage >= 0.8, `pool ${a}: coverage at eps .1 is ${m[String(a)].eps['0.1'].coverage}`)
  })
})

t.test('without the interference term the 2-way pool is clearly worse', async (t) => {
  const f = fitPredictor(ds, split.train, split.val, { ...DEFAULT_CONFIG, ...TINY, interference: false })
  const g = fitPredictor(ds, split.train, split.val, { ...DEFAULT_CONFIG, ...TINY })
  const off = evaluatePools(f.model, f.calibration, ds.pools, split.test)['1'].mape
  const on = evaluatePools(g.model, g.calibration, ds.pools, split.test)['1'].mape
  t.ok(on < 0.7 * off, `2-way MAPE with term ${(100 * on).toFixed(2)}% vs without ${(100 * off).toFixed(2)}%`)
})
