import t from 'tap'
import { join } from 'node:path'
import { fitPredictor, loadDataset, loadPredictor, saveModel, selectRows, splitRows, DEFAULT_CONFIG } from '../predictor/index.js'
import { PitotRuntimeModel } from '../orchestrator/pitot-model.js'
import { place } from '../orchestrator/placement.js'
import { TINY, writeSynth } from './helpers/predictor-synth.js'
import { tempDir } from './helpers/temp-dir.js'

const synth = writeSynth({ platforms: 12, workloads: 16, isolated: 400, paired: 600, noise: 0.02, seed: 5 }, tempDir(t, 'pitot-synth-'))
const ds = loadDataset(synth.dir)
const split = splitRows(ds.pools, 0.6, 3)
const f = fitPredictor(ds, split.train, split.val, { ...DEFAULT_CONFIG, ...TINY })
const dir = join(tempDir(t, 'pitot-orch-'), 'model')
saveModel(dir, { model: f.model, platforms: ds.platforms, workloads: ds.workloads, eps: f.eps, calibration: f.calibration, coldStart: f.coldStart, info: {} },
  { train: ds.pools.map((o, a) => selectRows(o, split.train[a])), cal: ds.pools.map((o, a) => selectRows(o, split.val[a])) })

t.test('placement scores through the Pitot predictor: same numbers as its own API, in ms', async (t) => {
  const p = loadPredictor(dir)
  const m = new PitotRuntimeModel(p, { batch: 4, update: { steps: 10, maxSeconds: 2 } })
  const [d0, d1] = [m.platformId('plat-0'), m.platformId('plat-1')]
  const [w2, w3] = [m.workloadId('work-2'), m.workloadId('work-3')]
  const rows = { n: 2, platform: Int32Array.of(d0, d1), workload: Int32Array.of(w2, w2), offsets: Int32Array.of(0, 0, 1), corunners: Int32Array.of(w3) }
  const s = m.score(rows, 0.1)
  const ref = p.predict([{ platform: 0, workload: 2 }, { platform: 1, workload: 2, corunners: [3] }])
  const refBound = p.bound([{ platform: 0, workload: 2 }, { platform: 1, workload: 2, corunners: [3] }], 0.1)
  t.ok(Math.abs(s.runtimeMs[0]! * 1000 / ref[0]! - 1) < 1e-9 && Math.abs(s.runtimeMs[1]! * 1000 / ref[1]! - 1) < 1e-9)
  t.ok(Math.abs(s.boundMs[1]! * 1000 / refBound[1]! - 1) < 1e-9)
  t.ok(s.boundMs[0]! >= s.runtimeMs[0]!)
  const devices = [{ id: 'a', platform: d0, live: true, running: [] }, { id: 'b', platform: d1, live: true, running: [{ placementId: 'x', workload: w3, startedAt: 0, deadlineAt: 1e12, eps: 0.1 }] }]
  const d = place(m, devices, { workload: w2, deadlineMs: 1e9, eps: 0.1 })
  t.ok(d.placed)
  t.throws(() => m.workloadId('never-seen'), { code: 'EM_INVALID_INPUT' }, 'an unknown workload needs features')
  const fresh = m.workloadId('new-kernel', Array.from(ds.workloads.features.subarray(0, ds.workloads.dim)))
  t.equal(fresh, ds.workloads.count, 'a never-seen workload enters by its features (appended)')
  m.observe([0, 1, 2, 3].map((i) => ({ platform: d0, workload: w2, corunners: i % 2 ? [w3] : [], runtimeMs: Math.exp(synth.truth(0, 2, i % 2 ? [3] : [])) / 1000 })))
  t.ok(Number.isFinite(m.score(rows, 0.1).boundMs[0]!), 'a warm-started update ran after a batch of observations')
})
