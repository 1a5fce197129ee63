import t from 'tap'
import { join } from 'node:path'
import { loadDataset } from '../predictor/data.js'
import { evaluatePools } from '../predictor/evaluate.js'
import { fitPredictor } from '../predictor/fit.js'
import { loadPredictor } from '../predictor/predictor.js'
import { selectRows, splitRows } from '../predictor/split.js'
import { saveModel } from '../predictor/store.js'
import { DEFAULT_CONFIG } from '../predictor/types.js'
import { updatePredictor } from '../predictor/update.js'
import { TINY, writeSynth } from './helpers/predictor-synth.js'
import { tempDir } from './helpers/temp-dir.js'

const synth = writeSynth({ platforms: 20, workloads: 24, isolated: 600, paired: 900, noise: 0.02, seed: 21 }, tempDir(t, 'pitot-synth-'))
const ds = loadDataset(synth.dir)
const split = splitRows(ds.pools, 0.6, 3)
// Platform 0 is never seen in training: its rows leave train and validation.
const without0 = (rows: Int32Array[]) => rows.map((idx, a) => idx.filter((r) => ds.pools[a].platform[r] !== 0))
const f = fitPredictor(ds, without0(split.train), without0(split.val), { ...DEFAULT_CONFIG, ...TINY })
const dir = join(tempDir(t, 'pitot-api-'), 'model')
saveModel(dir, { model: f.model, platforms: ds.platforms, workloads: ds.workloads, eps: f.eps, calibration: f.calibration, coldStart: f.coldStart, info: {} },
  { train: ds.pools.map((o, a) => selectRows(o, without0(split.train)[a])), cal: ds.pools.map((o, a) => selectRows(o, without0(split.val)[a])) })
const p = loadPredictor(dir)

t.test('rows by index, by name and by raw features', async (t) => {
  const [a, b] = p.predict([{ platform: 3, workload: 5, corunners: [7] }, { platform: 'plat-3', workload: 'work-5', corunners: ['work-7'] }])
  t.equal(a, b)
  t.ok(Math.abs(a / Math.exp(synth.truth(3, 5, [7])) - 1) < 0.1, 'close to the planted runtime')
  // Platform 0 was never trained on: pass it by features only and check its error.
  const feats = Array.from(ds.platforms.features.subarray(0, ds.platforms.dim))
  let err = 0, naive = 0
  for (let w = 0; w < 24; w++) {
    const y = p.predict([{ platform: { features: feats }, workload: w }])[0]
    err += Math.abs(Math.exp(synth.truth(0, w)) / y - 1)
    // Without features the best guess is the typical platform: the geometric mean over the others.
    let mean = 0
    for (let j = 1; j < 20; j++) mean += synth.truth(j, w) / 19
    naive += Math.abs(Math.exp(synth.truth(0, w) - mean) - 1)
  }
  t.ok(err < 0.5 * naive && err / 24 < 0.3, `unseen platform from features: MAPE ${(100 * err / 24).toFixed(1)}% vs typical-platform guess ${(100 * naive / 24).toFixed(1)}%`)
  t.throws(() => p.predict([{ platform: { features: [1, 2] }, workload: 0 }]), { message: /need 4 finite numbers/ })
  t.throws(() => p.predict([{ platform: 999, workload: 0 }]), { code: 'EM_INVALID_INPUT' })
})

t.test('scoreCandidates equals per-row bounds', async (t) => {
  const plats = Int32Array.of(1, 4, 4, 9), kos = Int32Array.of(2, 2, 8, 0)
  const s = p.scoreCandidates(6, plats, kos, 1, 0.05)
  const rows = Array.from(plats, (j, c) => ({ platform: j, workload: 6, corunners: [kos[c]] }))
  const b = p.bound(rows, 0.05), r = p.predict(rows)
  for (let c = 0; c < 4; c++) t.ok(Math.abs(s.bound[c] / b[c] - 1) < 1e-6 && Math.abs(s.runtime[c] / r[c] - 1) < 1e-6)
  t.throws(() => p.scoreCandidates(6, plats, kos, 2, 0.05), { message: /4×2/ })
  t.ok(p.bound(rows, 0.2).every((v, c) => v <= b[c]), 'an uncalibrated eps is calibrated on demand from the stored rows, and is looser-eps tighter')
})

t.test('warm-started update keeps coverage on exchangeable new data', async (t) => {
  // Rows on the never-trained platform 0 are not exchangeable with the calibration rows: left out.
  const test = split.test.map((idx, a) => idx.filter((r, k) => k % 2 === 0 && ds.pools[a].platform[r] !== 0))
  const fresh = ds.pools.map((o, a) => selectRows(o, split.test[a].filter((_, k) => k % 2 === 1)))
  const u = updatePredictor(p, fresh, { steps: 40 })
  t.equal(u.newRows, fresh.reduce((s, o) => s + o.logT.length, 0))
  t.equal(p.storedRows().cal[1].logT.length, without0(split.val)[1].length + Math.round(0.3 * fresh[1].logT.length))
  const m = evaluatePools(p.stored.model, p.stored.calibration, ds.pools, test)
  for (const pool of ['0', '1']) t.ok(m[pool].eps['0.1'].coverage >= 0.85, `pool ${pool}: coverage ${m[pool].eps['0.1'].coverage.toFixed(3)} at eps .1`)
})
