/**
 * Training speed of the predictor on the Pitot data (S = 0.9 split): CPU and wall time per step
 * in the same process with the ml/ JS reference kernels (`js`), the SIMD WASM kernels (`wasm`),
 * and the WASM kernels with only the Eq. 9 rows on the JS reference (`eq9js`: the
 * previous hand-written-JS path, for the WASM-vs-JS comparison of that kernel), and the projected
 * time of a default training run. CPU time is reported because the shared 2-core machine makes
 * wall time depend on other users' load. Each variant is warmed up (JIT) with 3 untimed steps.
 * Usage: npx tsx bench/predictor-train-speed.ts [DATA_DIR] [STEPS=20] [BACKENDS=js,eq9js,wasm]
 */
import { jsKernels, kernels, setKernels, useBackend, type Kernels } from '../ml/index.js'
import { fitBaseline } from '../predictor/baseline.js'
import { loadDataset } from '../predictor/data.js'
import { fitStandardizer, PitotModel } from '../predictor/model.js'
import { selectRows, splitRows } from '../predictor/split.js'
import { train } from '../predictor/train.js'
import { DEFAULT_CONFIG } from '../predictor/types.js'

const [dir = '../shared/data/pitot', stepsArg = '20', backends = 'js,eq9js,wasm'] = process.argv.slice(2)
const steps = Number(stepsArg)
const ds = loadDataset(dir)
const split = splitRows(ds.pools, 0.9, 1)
const base = fitBaseline(selectRows(ds.pools[0], split.train[0]), ds.platforms.count, ds.workloads.count)
const scalers = { platform: fitStandardizer(ds.platforms), workload: fitStandardizer(ds.workloads) }
const perStep: Record<string, number> = {}
const eq9PerStep: Record<string, number> = {}
let eq9Cpu = 0 // µs of CPU inside the Eq. 9 kernels since the last reset

/** `k` with its Eq. 9 kernels timed (4 calls per step, so the cpuUsage calls cost nothing measurable). */
function timedEq9(k: Kernels): Kernels {
  const timed = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => {
    const c0 = process.cpuUsage()
    f(...a)
    const c = process.cpuUsage(c0)
    eq9Cpu += c.user + c.system
  }
  return { ...k, eq9Forward: timed(k.eq9Forward), eq9Backward: timed(k.eq9Backward) }
}

for (const b of backends.split(',')) {
  if (b !== 'js' && b !== 'eq9js' && b !== 'wasm') throw new Error(`unknown backend ${b} (js, eq9js, wasm)`)
  useBackend(b === 'eq9js' ? 'wasm' : b)
  setKernels(timedEq9(b === 'eq9js' ? { ...kernels(), eq9Forward: jsKernels.eq9Forward, eq9Backward: jsKernels.eq9Backward } : kernels()))
  const model = () => new PitotModel({ ...DEFAULT_CONFIG, steps, validateEvery: 1e9 }, ds.platforms, ds.workloads, scalers, base)
  train(model(), ds.pools, split.train, [], { steps: 3 })
  const m = model()
  eq9Cpu = 0
  const c0 = process.cpuUsage()
  const r = train(m, ds.pools, split.train, [])
  const c = process.cpuUsage(c0)
  perStep[b] = (c.user + c.system) / 1000 / steps
  eq9PerStep[b] = eq9Cpu / 1000 / steps
  console.log(`${b}: ${perStep[b].toFixed(1)} ms CPU/step (Eq. 9 rows ${eq9PerStep[b].toFixed(1)}), ${((1000 * r.seconds) / steps).toFixed(1)} ms wall/step (batch ${DEFAULT_CONFIG.batch}/objective)`)
}
if (perStep.js && perStep.wasm) console.log(`wasm/js CPU ratio: ${(perStep.wasm / perStep.js).toFixed(2)}`)
if (perStep.eq9js && perStep.wasm) {
  console.log(`Eq. 9 rows in WASM vs JS: step ${perStep.wasm.toFixed(1)} vs ${perStep.eq9js.toFixed(1)} ms CPU (${(perStep.eq9js / perStep.wasm).toFixed(2)}×), ` +
    `the rows alone ${eq9PerStep.wasm.toFixed(1)} vs ${eq9PerStep.eq9js.toFixed(1)} ms (${(eq9PerStep.eq9js / eq9PerStep.wasm).toFixed(1)}×)`)
}
const best = Math.min(...Object.values(perStep))
const validations = DEFAULT_CONFIG.steps / DEFAULT_CONFIG.validateEvery
console.log(`projected default training (${DEFAULT_CONFIG.steps} steps + ${validations} validations): ~${((best * DEFAULT_CONFIG.steps) / 1000).toFixed(0)} s CPU (target ≤ 120 s)`)
