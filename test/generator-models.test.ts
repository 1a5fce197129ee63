import t from 'tap'
import { Rng } from '../ml/rng.js'
import { cosineSchedule, logProb, noised, posterior } from '../generator/ddpm.js'
import { Forest } from '../generator/forest.js'
import { fitNovelty, selectNovel } from '../generator/novelty.js'
import { fitRanges, normalise, denormalise } from '../generator/normalise.js'
import { cleanUp, IDLE_CPU, WindowSampler } from '../generator/sample.js'
import type { Space } from '../generator/types.js'

t.test('forest fits a nonlinear function far better than the mean and is unsure off the data', async (t) => {
  const rng = new Rng(3)
  const n = 800
  const d = 6
  const f = (x: Float32Array, i: number) => x[i * d]! * x[i * d + 1]! + Math.sin(3 * x[i * d + 2]!)
  const x = rng.fillUniform(new Float32Array(n * d))
  const y = Float32Array.from({ length: n }, (_, i) => f(x, i))
  const forest = Forest.fit(x, y, d, { trees: 30, seed: 1 })
  const xt = rng.fillUniform(new Float32Array(200 * d))
  const { mean } = forest.predict(xt)
  const truth = Float32Array.from({ length: 200 }, (_, i) => f(xt, i))
  const avg = truth.reduce((a, b) => a + b, 0) / 200
  let se = 0; let sv = 0
  for (let i = 0; i < 200; i++) { se += (mean[i]! - truth[i]!) ** 2; sv += (truth[i]! - avg) ** 2 }
  t.ok(se < 0.15 * sv, `forest MSE ${(se / 200).toFixed(4)} vs variance ${(sv / 200).toFixed(4)}`)
  t.throws(() => Forest.fit(x, y.subarray(0, 10), d), /expected 10×6/)
})

t.test('novelty selection prefers unexplored predictions and spreads its picks', async (t) => {
  // Metric = first feature; seen traces all lie near 0, candidates span [0, 1].
  const rng = new Rng(5)
  const x = Float32Array.from({ length: 200 }, () => rng.next())
  const model = fitNovelty(x, Float32Array.from(x), 1, 1, { trees: 20 })
  const seen = Float32Array.from({ length: 20 }, () => 0.05 * rng.next())
  const cand = Float32Array.from({ length: 100 }, (_, i) => i / 99)
  const picks = selectNovel(model, cand, seen, 4).map((i) => cand[i]!)
  t.ok(picks[0]! > 0.9, `first pick is the farthest (${picks[0]})`)
  t.ok(Math.min(...picks.slice(1).map((p) => Math.abs(p - picks[0]!))) > 0.15, `picks spread out: ${picks.map((p) => p.toFixed(2))}`)
})

t.test('cosine schedule, forward noising and the posterior recover x0', async (t) => {
  const s = cosineSchedule(25)
  t.equal(s.steps, 25)
  for (let i = 1; i < 25; i++) t.ok(s.alphaBar[i]! < s.alphaBar[i - 1]!, 'alpha-bar decreases')
  t.ok(s.alphaBar[0]! > 0.99 && s.alphaBar[24]! < 0.01, 'from almost clean to almost pure noise')
  const x0 = Float32Array.from([0.5, -0.25, 0.9])
  const eps = Float32Array.from([0.3, -1.2, 0.7])
  const xt = noised(s, 0, x0, eps, new Float32Array(3))
  const mean = new Float32Array(3)
  const std = posterior(s, 0, xt, eps, mean)
  t.equal(std, 0, 'last step is deterministic')
  mean.forEach((v, i) => t.ok(Math.abs(v - x0[i]!) < 1e-5, `x0[${i}] recovered`))
  // x0 estimates outside [-1, 1] are clipped.
  const far = noised(s, 10, Float32Array.from([1, 1, 1]), eps, new Float32Array(3))
  posterior(s, 10, far, eps.map((e) => e - 5), mean)
  t.ok(mean.every((v) => Number.isFinite(v)))
  t.ok(logProb(Float32Array.from([0]), Float32Array.from([0]), 1) > logProb(Float32Array.from([2]), Float32Array.from([0]), 1))
})

const space: Space = {
  stressors: ['cpu-crc32c', 'cpu-fp-simd', 'disk-read-1m-p25'], disk: [false, false, true], threads: 2,
  metrics: ['cpu_util_0', 'cpu_util_1', 'disk_read_bytes_per_s'], windowMs: 250, source: 'replay',
}

t.test('clean-up drops noise around off and keeps each thread\'s CPU time', async (t) => {
  // Index m·K + k. Thread 0: CPU 0.5 + 0.015 (noise-sized), disk 0.01. Thread 1: CPU 0.008 + 0.006 only, disk 0.3.
  const a = cleanUp(space, Float32Array.from([0.5, 0.008, 0.015, 0.006, 0.01, 0.3]))
  t.same(Array.from(a).map((v) => +v.toFixed(4)), [0.515, 0.014, 0, 0, 0, 0.3],
    'thread 0 keeps 0.515 of CPU on one stressor, its 1 % read goes; thread 1 keeps its 1.4 % of CPU on its largest stressor and its 0.3 read')
  // Thread 0: 0.8 % of CPU in all, noise around idle. Thread 1: 0.6 % + 0.6 %, a core asked for about 1 %.
  const b = cleanUp(space, Float32Array.from([0.005, 0.006, 0.003, 0.006, 0, 0]))
  t.same(Array.from(b).map((v) => +v.toFixed(4)), [0, 0.006, 0, 0.006, 0, 0],
    `a thread under ${IDLE_CPU} of CPU idles; equal small fractions above it share the thread's total`)
})

t.test('sampling temperature scales the noise of each step', async (t) => {
  const cfg = { compDim: 6, metrics: 3, stateDim: 0, hidden: 4, layers: 1, steps: 10 }
  const eps = async (_x: Float32Array, rows: number) => new Float32Array(rows * 6).fill(0.1)
  const rec = (temperature: number) => { const r: { std: number }[] = []; return new WindowSampler(space, cfg, eps, 3, temperature).sample(Float32Array.from([0.5, 0.5, 0]), null, new Rng(1), r as never).then(() => r) }
  const full = await rec(1)
  const half = await rec(0.5)
  t.equal(half.length, full.length)
  t.ok(half.every((s, i) => Math.abs(s.std - 0.5 * full[i]!.std) < 1e-9), 'the recorded step std (what alignment differentiates) is the scaled one')
  t.ok((await rec(0)).every((s) => s.std === 0), 'temperature 0: every step deterministic')
  t.equal(full.filter((s) => s.std === 0).length, 1, 'at temperature 1 only the last step is')
})

t.test('min-max ranges over a corpus', async (t) => {
  const r = fitRanges(['a', 'b'], [[0, 5], [10, 5], [NaN, 5]])
  t.same(r.min, [0, 5])
  t.same(r.max, [10, 6], 'a constant metric gets a unit range')
  t.same(Array.from(normalise(r, [5, 5.5])), [0.5, 0.5])
  t.equal(denormalise(r, 0, 0.25), 2.5)
  t.throws(() => fitRanges(['a'], []), /empty corpus/)
})
