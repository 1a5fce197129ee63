import t from 'tap'
import { Rng } from '../ml/rng.js'
import { cosineSchedule, logProb, noised, posterior } from '../generator/ddpm.js'
import { Forest } from '../generator/forest.js'
import { fitNovelty, selectNovel } from '../generator/novelty.js'
import { fitRanges, normalise, denormalise } from '../generator/normalise.js'

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

t.test('min-max ranges over a corpus', async (t) => {
  const r = fitRanges(['a', 'b'], [[0, 5], [10, 5], [NaN, 5]])
  t.same(r.min, [0, 5])
  t.same(r.max, [10, 6], 'a constant metric gets a unit range')
  t.same(Array.from(normalise(r, [5, 5.5])), [0.5, 0.5])
  t.equal(denormalise(r, 0, 0.25), 2.5)
  t.throws(() => fitRanges(['a'], []), /empty corpus/)
})
