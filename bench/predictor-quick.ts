/**
 * Quick accuracy/speed probe of one training run: `npx tsx bench/predictor-quick.ts DIR S STEPS [key=value...]`.
 */
import { loadDataset } from '../predictor/data.js'
import { fitBaseline } from '../predictor/baseline.js'
import { fitStandardizer, PitotModel } from '../predictor/model.js'
import { splitRows, selectRows } from '../predictor/split.js'
import { train } from '../predictor/train.js'
import { mape } from '../predictor/metrics.js'
import { DEFAULT_CONFIG, type ModelConfig } from '../predictor/types.js'

const [dir = '../shared/data/pitot', s = '0.5', steps = '500', ...kv] = process.argv.slice(2)
const cfg: ModelConfig = { ...DEFAULT_CONFIG, steps: Number(steps) }
for (const p of kv) { const [k, v] = p.split('='); (cfg as any)[k] = JSON.parse(v) }
const ds = loadDataset(dir)
const split = splitRows(ds.pools, Number(s), 1)
const base = fitBaseline(selectRows(ds.pools[0], split.train[0]), ds.platforms.count, ds.workloads.count)
const m = new PitotModel(cfg, ds.platforms, ds.workloads, { platform: fitStandardizer(ds.platforms), workload: fitStandardizer(ds.workloads) }, base)
const t0 = performance.now()
const r = train(m, ds.pools, split.train, split.val, { onProgress: (st, tot, l) => console.error(`step ${st}/${tot} val ${l.toFixed(5)} ${((performance.now() - t0) / st).toFixed(1)} ms/step`) })
const e = m.embed()
ds.pools.forEach((obs, a) => {
  const pred = m.predict(obs, split.test[a], e)
  const p0 = Float64Array.from({ length: split.test[a].length }, (_, r) => pred[r * m.dims.heads])
  const y = Float64Array.from(split.test[a], (i) => obs.logT[i])
  const bl = Float64Array.from(split.test[a], (i) => base.platform[obs.platform[i]] + base.workload[obs.workload[i]])
  console.log(`pool ${a}: test ${y.length} MAPE ${(100 * mape(y, p0).mape).toFixed(2)}% baseline-only ${(100 * mape(y, bl).mape).toFixed(2)}%`)
})
console.log(JSON.stringify(r))
