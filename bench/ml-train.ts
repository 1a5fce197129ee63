/**
 * Training-step throughput of the ml engine on the customers' real shapes: one step = forward,
 * backward (parameter gradients), Adamax update. Three implementations run in this process on
 * the same shapes, interleaved in rounds (median kept) so machine load hits all of them alike:
 * the plain-JS reference, the SIMD WASM kernels, and ORT-compiled graphs (compileMlp) on 1 and 2
 * intra-op threads.
 * Prints steps/s, speed-up over JS, and the estimated time of 20,000 Pitot steps (both towers;
 * on ORT both share one forward and one backward call, see compileMlps).
 *
 *   npx tsx bench/ml-train.ts [--seconds S] [--rounds R] [--json] [--plot out.svg|out.png]
 */
import { parseArgs } from 'node:util'
import { chartSvg, PALETTE, writeChart } from '../common/plot.js'
import { progressBar } from '../common/progress.js'
import { lossCurve } from './ml-curves.js'
import {
  Adamax, Mlp, Rng, compileMlps, gelu, leakyRelu, silu, useBackend, type Activation, type CompiledMlps,
} from '../ml/index.js'

/** `gradFrom`: input columns from here on are learned (Pitot's per-entity features) and need dx. */
interface Tower { rows: number; sizes: number[]; act: Activation; gradFrom?: number }
interface Shape { name: string; towers: Tower[] }
const WORKLOAD: Tower = { rows: 249, sizes: [142, 128, 128, 256], act: gelu, gradFrom: 141 }
const PLATFORM: Tower = { rows: 231, sizes: [40, 128, 128, 160], act: leakyRelu(0.1), gradFrom: 39 }
const SHAPES: Shape[] = [
  { name: 'pitot workload tower', towers: [WORKLOAD] },
  { name: 'pitot platform tower', towers: [PLATFORM] },
  { name: 'pitot both towers', towers: [WORKLOAD, PLATFORM] },
  { name: 'generator MLP (batch 256)', towers: [{ rows: 256, sizes: [128, 256, 256, 256, 32], act: silu }] },
  { name: 'small MLP (batch 64)', towers: [{ rows: 64, sizes: [32, 64, 64, 16], act: silu }] },
]
const IMPLS = ['js', 'wasm', 'ort1', 'ort2'] as const
type Impl = typeof IMPLS[number]

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '1' }, rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false },
    // SVG or PNG: CPU-ms per step per shape and backend, and loss curves of the same training per backend.
    plot: { type: 'string' },
  },
})
const seconds = Number(values.seconds)
const rounds = Number(values.rounds)

type Step = () => void | Promise<void>

async function makeStep(shape: Shape, impl: Impl): Promise<Step> {
  const k = useBackend(impl === 'js' ? 'js' : 'wasm')
  const rng = new Rng(1)
  const nets = shape.towers.map((t, i) => {
    const mlp = new Mlp(t.sizes, { name: `t${i}`, activation: t.act, rng })
    const x = rng.fillNormal(k.alloc(t.rows * t.sizes[0]))
    const dy = rng.fillNormal(k.alloc(t.rows * t.sizes[t.sizes.length - 1]), 0, 1e-3)
    return { mlp, x, dy, rows: t.rows, grad: { inputGrad: t.gradFrom !== undefined, inputGradFrom: t.gradFrom ?? 0 } }
  })
  const opt = new Adamax(nets.flatMap((n) => n.mlp.params()), { lr: 1e-3, weightDecay: 1e-4 })
  if (impl === 'ort1' || impl === 'ort2') {
    // All towers of a shape share one forward and one backward ORT call per step.
    const fast: CompiledMlps = await compileMlps(nets.map((n) => n.mlp), {
      threads: impl === 'ort1' ? 1 : 2, inputGrad: nets.map((n) => n.grad.inputGrad), inputGradFrom: nets.map((n) => n.grad.inputGradFrom),
    })
    const dys = nets.map((n) => n.dy)
    return async () => { opt.zeroGrad(); await fast.forward(nets); await fast.backward(dys); opt.step() }
  }
  return () => {
    useBackend(impl)
    opt.zeroGrad()
    for (const n of nets) { n.mlp.forward(n.x, n.rows); n.mlp.backward(n.dy, n.grad) }
    opt.step()
  }
}

interface Sample { wallMs: number; cpuMs: number }

/** Per-step wall time and process CPU time (all threads): CPU time is what an idle machine would see as wall time for one thread. */
async function measure(step: Step): Promise<Sample> {
  for (let i = 0; i < 3; i++) await step()
  let n = 0
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  while (performance.now() - t0 < seconds * 1000) { await step(); n++ }
  const wallMs = (performance.now() - t0) / n
  const c = process.cpuUsage(c0)
  return { wallMs, cpuMs: (c.user + c.system) / 1000 / n }
}

const steps = new Map<string, Step>()
for (const s of SHAPES) for (const impl of IMPLS) steps.set(`${s.name}|${impl}`, await makeStep(s, impl))
const samples = new Map<string, Sample[]>()
const bar = progressBar('ml-train bench', rounds * steps.size, !values.json)
let done = 0
for (let r = 0; r < rounds; r++) {
  for (const [key, step] of steps) {
    samples.set(key, [...(samples.get(key) ?? []), await measure(step)])
    bar.update(++done, key)
  }
}
bar.stop()
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]
interface Row { msPerStep: number; cpuMsPerStep: number; stepsPerS: number; speedupVsJs: number }
const result: Record<string, Record<Impl, Row>> = {}
for (const s of SHAPES) {
  const js = median(samples.get(`${s.name}|js`)!.map((x) => x.wallMs))
  result[s.name] = Object.fromEntries(IMPLS.map((impl) => {
    const xs = samples.get(`${s.name}|${impl}`)!
    const m = median(xs.map((x) => x.wallMs))
    return [impl, { msPerStep: m, cpuMsPerStep: median(xs.map((x) => x.cpuMs)), stepsPerS: 1000 / m, speedupVsJs: js / m }]
  })) as Record<Impl, Row>
}
const both = result['pitot both towers']
const estimate = Object.fromEntries(IMPLS.map((i) => [i, { wallS: 20 * both[i].msPerStep, cpuS: 20 * both[i].cpuMsPerStep }]))
const load = (await import('node:os')).loadavg()[0]
if (values.json) {
  console.log(JSON.stringify({ loadAverage: load, result, pitot20kSteps: estimate }, null, 2))
} else {
  console.log(`\nload average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} cores`)
  console.log('shape                         impl   ms/step  cpu-ms/step   steps/s   x JS')
  for (const [name, r] of Object.entries(result)) {
    for (const impl of IMPLS) {
      const v = r[impl]
      console.log(`${name.padEnd(30)}${impl.padEnd(6)}${v.msPerStep.toFixed(2).padStart(9)}${v.cpuMsPerStep.toFixed(2).padStart(13)}` +
        `${v.stepsPerS.toFixed(1).padStart(10)}${v.speedupVsJs.toFixed(1).padStart(7)}`)
    }
  }
  console.log('\nestimated 20,000 Pitot steps (both towers, forward + backward + Adamax; no gathers/loss):')
  for (const impl of IMPLS) console.log(`  ${impl.padEnd(5)} ${estimate[impl].wallS.toFixed(1)} s wall now, ${estimate[impl].cpuS.toFixed(1)} CPU-s`)
}
if (values.plot) {
  // Two charts (their x axes differ): PATH gets the loss curves, PATH-with-'-cpu' the step costs.
  const curves: { impl: string; loss: Float64Array }[] = []
  // One after another: the backend choice is process-wide.
  for (const impl of ['js', 'wasm', 'ort'] as const) curves.push({ impl, loss: await lossCurve(impl) })
  writeChart(chartSvg([{
    title: 'same training (init, data, Adamax) per backend: the curves coincide', yLabel: 'MSE',
    series: curves.map((c, k) => ({ name: c.impl, color: PALETTE[k], dashed: k > 0, x: Array.from(c.loss, (_, i) => i), y: c.loss })),
  }], { title: 'ml engine: loss of a [16, 64, 64, 1] GELU MLP', xLabel: 'step' }), values.plot)
  const cpuPath = values.plot.replace(/(\.[a-z]+)$/i, '-cpu$1')
  writeChart(chartSvg(SHAPES.map((s) => ({
    title: s.name, yLabel: 'CPU-ms', yMin: 0,
    scatter: IMPLS.filter((i) => i !== 'js').map((impl, k) => ({ name: impl, color: PALETTE[k], x: [k + 1], y: [result[s.name][impl].cpuMsPerStep] })),
  })), { title: `ml engine: CPU-ms per training step (load ${load.toFixed(1)})`, xLabel: '1 = wasm, 2 = ort 1 thread, 3 = ort 2 threads', panelHeight: 90 }), cpuPath)
  const last = curves.map((c) => `${c.impl} ${c.loss[c.loss.length - 1].toExponential(3)}`).join(', ')
  console.error(`wrote ${values.plot} and ${cpuPath}; final losses: ${last}`)
}
process.exit(0)
