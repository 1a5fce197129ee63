import t from 'tap'
import { Rng } from '../ml/index.js'
import { loadDataset } from '../predictor/data.js'
import { mergeMembers } from '../predictor/ensemble.js'
import { evaluatePools } from '../predictor/evaluate.js'
import { fitPredictor } from '../predictor/fit.js'
import { fitStandardizer, PitotModel } from '../predictor/model.js'
import { splitRows } from '../predictor/split.js'
import { DEFAULT_CONFIG } from '../predictor/types.js'
import { TINY, writeSynth } from './helpers/predictor-synth.js'
import { tempDir } from './helpers/temp-dir.js'

const synth = writeSynth({ platforms: 18, workloads: 22, isolated: 420, paired: 800, noise: 0.05, seed: 5 }, tempDir(t, 'pitot-synth-'))
const ds = loadDataset(synth.dir)
const split = splitRows(ds.pools, 0.8, 9)

t.test('a merged model predicts the mean of its members, for every head and pool', async (t) => {
  const scalers = { platform: fitStandardizer(ds.platforms), workload: fitStandardizer(ds.workloads) }
  for (const variant of [{}, { interference: false }, { sideInformation: false }]) {
    // Random (untrained) members with distinct baselines: the merge must not depend on training.
    const members = [3, 4, 5].map((seed) => {
      const rng = new Rng(seed), random = (n: number) => Float32Array.from({ length: n }, () => rng.normal())
      const m = new PitotModel({ ...DEFAULT_CONFIG, ...TINY, ...variant, seed }, ds.platforms, ds.workloads, scalers, { platform: random(ds.platforms.count), workload: random(ds.workloads.count), iterations: 0 })
      // Fresh towers end near zero; random learned features and biases make every block matter.
      for (const p of m.params()) if (p.name.endsWith('.bias') || p.name.endsWith('.learned')) p.value.set(random(p.value.length))
      return m
    })
    const merged = mergeMembers(members, ds.platforms, ds.workloads)
    t.equal(merged.dims.rank, 3 * members[0].dims.rank)
    ds.pools.forEach((obs, a) => {
      const got = merged.predict(obs)
      const each = members.map((m) => m.predict(obs))
      let worst = 0
      got.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - (each[0][i] + each[1][i] + each[2][i]) / 3)) })
      t.ok(worst < 1e-4, `${JSON.stringify(variant)} pool ${a}: max |merged − mean| = ${worst.toExponential(2)}`)
    })
  }
})

t.test('two members are more accurate than one on noisy planted data', async (t) => {
  const one = fitPredictor(ds, split.train, split.val, { ...DEFAULT_CONFIG, ...TINY, coldShare: 0 })
  const two = fitPredictor(ds, split.train, split.val, { ...DEFAULT_CONFIG, ...TINY, coldShare: 0, members: 2 })
  const a = evaluatePools(one.model, one.calibration, ds.pools, split.test), b = evaluatePools(two.model, two.calibration, ds.pools, split.test)
  const mean = (m: typeof a) => (m['0'].mape + m['1'].mape) / 2
  t.ok(mean(b) < mean(a), `MAPE one member ${(100 * mean(a)).toFixed(2)}% vs two ${(100 * mean(b)).toFixed(2)}%`)
  t.equal(two.model.config.mergedFrom, 2)
  t.ok(two.training.seconds > one.training.seconds, 'training time counts both members')
})

t.test('members trained in worker threads give the same model as members trained in turn', async (t) => {
  const config = { ...DEFAULT_CONFIG, ...TINY, steps: 150, coldShare: 0, members: 3 }
  const seq = fitPredictor(ds, split.train, split.val, config)
  const par = fitPredictor(ds, split.train, split.val, config, { threads: true })
  ds.pools.forEach((obs, a) => {
    const x = seq.model.predict(obs), y = par.model.predict(obs)
    let worst = 0
    x.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - y[i])) })
    t.ok(worst < 1e-6, `pool ${a}: max |threads − in turn| = ${worst.toExponential(2)}`)
  })
  t.equal(par.training.bestStep, seq.training.bestStep)
})

t.test('a bad member count is refused with a clear error', async (t) => {
  for (const members of [0, 1.5, 'two']) {
    t.throws(() => fitPredictor(ds, split.train, split.val, { ...DEFAULT_CONFIG, ...TINY, coldShare: 0, members: members as number }), /members must be an integer in 1\.\.16/)
  }
})
