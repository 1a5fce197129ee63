import t from 'tap'
import { createSession } from '../ml/onnx/session.js'
import { loadDataset } from '../predictor/data.js'
import { fitPredictor } from '../predictor/fit.js'
import { onnxBytes } from '../predictor/onnx-export.js'
import { splitRows } from '../predictor/split.js'
import { DEFAULT_CONFIG } from '../predictor/types.js'
import { TINY, writeSynth } from './helpers/predictor-synth.js'
import { tempDir } from './helpers/temp-dir.js'

const ds = loadDataset(writeSynth({ platforms: 12, workloads: 15, isolated: 200, paired: 300, seed: 9 }, tempDir(t, 'pitot-synth-')).dir)
const split = splitRows(ds.pools, 0.8, 1)
const f = fitPredictor(ds, split.train, split.val, { ...DEFAULT_CONFIG, ...TINY, steps: 60, members: 2 })
const bytes = onnxBytes(f.model)

for (const prefer of ['node', 'web'] as const) {
  t.test(`ONNX graph in onnxruntime-${prefer} equals the training code within 1e-4 (log space)`, async (t) => {
    const s = await createSession(bytes, { prefer, threads: 1 })
    t.equal(s.backend, `onnxruntime-${prefer}`)
    const e = f.model.embed()
    for (const obs of ds.pools) {
      const n = obs.logT.length, A = obs.arity
      const ref = f.model.predict(obs, undefined, e)
      const out = await s.run({
        platform: { data: BigInt64Array.from(obs.platform, BigInt), dims: [n] },
        workload: { data: BigInt64Array.from(obs.workload, BigInt), dims: [n] },
        corunners: { data: BigInt64Array.from(obs.corunners, BigInt), dims: [n, A] },
      })
      const y = out.y.data as Float32Array
      t.same(out.y.dims, [n, f.model.dims.heads])
      let worst = 0
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - y[i]))
      t.ok(worst <= 1e-4, `arity ${A}: max |Δ| = ${worst.toExponential(2)} over ${ref.length} outputs`)
    }
    await s.release()
  })
}
