import t from 'tap'
import { Rng } from '../ml/rng.js'
import { align, forwardReplayer } from '../generator/align.js'
import { alignGradient, chainGradient } from '../generator/align-gradient.js'
import { synthesise } from '../generator/augment.js'
import { closedLoop } from '../generator/closed-loop.js'
import { fitForward, Forward, quadDim, quadFeatures } from '../generator/forward.js'
import { generate, policyFor, targetRows, type GeneratorParts, type Policy } from '../generator/generate.js'
import { refine } from '../generator/guide.js'
import { fitRanges, normalise } from '../generator/normalise.js'
import { netEps } from '../generator/onnx.js'
import { compDim, project, randomComposition } from '../generator/space.js'
import { WindowSampler, type StepRecord } from '../generator/sample.js'
import { train } from '../generator/train.js'
import type { Sample, Space, Target } from '../generator/types.js'

// A 2-stressor (CPU, disk write) × 2-thread space; the "device" is a planted quadratic.
const space: Space = {
  stressors: ['cpu-crc32c', 'disk-write-1m-p5'], disk: [false, true], threads: 2,
  metrics: ['cpu_util_0', 'cpu_util_1', 'disk_read_bytes_per_s', 'disk_write_bytes_per_s'], windowMs: 250, source: 'replay',
}
const WRITE_RATE = 2e8
/** cpu_k = 100·cpu fraction on thread k (saturating), writes quadratic in the write fractions (contention). */
function planted(a: ArrayLike<number>): Float32Array {
  const w0 = a[2]!; const w1 = a[3]!
  return Float32Array.from([100 * a[0]! * (1 - 0.2 * a[0]!), 100 * a[1]!, 0, WRITE_RATE * (w0 + w1 - 0.5 * w0 * w1)])
}
function dataset(n: number, seed: number, noise = 0): Sample[] {
  const rng = new Rng(seed)
  return Array.from({ length: n }, () => {
    const comp = randomComposition(space, rng)
    const obs = planted(comp).map((v) => v * (1 + noise * rng.normal()))
    return { prev: new Float32Array(compDim(space)), comp, obs }
  })
}

t.test('quadratic features and their count', async (t) => {
  const f = quadFeatures([2, 3])
  t.same(Array.from(f), [1, 2, 3, 4, 6, 9])
  t.equal(quadDim(16), 153)
})

t.test('the forward model recovers a planted quadratic and its gradient is exact', async (t) => {
  const samples = dataset(600, 1)
  const ranges = fitRanges(space.metrics, samples.map((s) => s.obs))
  const fm = fitForward(ranges, samples, 1e-6)
  t.ok(fm.r2[0]! > 0.999 && fm.r2[3]! > 0.999, `held-out R² ${fm.r2.map((r) => r.toFixed(4))}`)
  const fwd = new Forward(fm)
  const rng = new Rng(7)
  for (let i = 0; i < 20; i++) {
    const a = randomComposition(space, rng)
    const want = normalise(ranges, planted(a))
    fwd.predict(a).forEach((v, n) => { if (n !== 2) t.ok(Math.abs(v - want[n]!) < 1e-3, `metric ${n}: ${v} vs ${want[n]}`) })
  }
  // Gradient against central differences, with one metric missing from the goal.
  const a = Float32Array.from([0.3, 0.6, 0.2, 0.1])
  const goal = [0.5, NaN, 0, 0.4]
  const grad = new Float64Array(4)
  for (const l1 of [false, true]) {
    const loss = fwd.lossGrad(a, goal, grad, l1)
    const pred = fwd.predict(a)
    const want = [0, 2, 3].reduce((s, n) => s + (l1 ? Math.abs(pred[n]! - goal[n]!) : (pred[n]! - goal[n]!) ** 2), 0)
    t.ok(Math.abs(loss - want) < 1e-6, `${l1 ? 'L1' : 'squared'} loss ${loss} over the goal's metrics`)
    for (let i = 0; i < 4; i++) {
      const up = Float32Array.from(a); up[i] += 1e-3
      const down = Float32Array.from(a); down[i] -= 1e-3
      const num = (fwd.lossGrad(up, goal, undefined, l1) - fwd.lossGrad(down, goal, undefined, l1)) / 2e-3
      t.ok(Math.abs(num - grad[i]!) < 1e-2 * Math.max(1, Math.abs(num)), `${l1 ? 'L1' : 'squared'} ∂L/∂a${i}: ${grad[i]!.toFixed(4)} vs ${num.toFixed(4)}`)
    }
  }
  t.throws(() => fitForward(ranges, samples.slice(0, 1)), /at least 2 samples/)
  t.throws(() => new Forward({ ...fm, weights: [[1, 2]] }), /expected 15/)
})

t.test('refinement lowers the forward-model loss and stays a valid window', async (t) => {
  const samples = dataset(400, 2)
  const ranges = fitRanges(space.metrics, samples.map((s) => s.obs))
  const fwd = new Forward(fitForward(ranges, samples))
  const goal = normalise(ranges, [40, 70, 0, 0])
  const a = Float32Array.from([0.9, 0.1, 0, 0])
  const before = fwd.lossGrad(a, goal)
  const after = refine(space, fwd, a, goal)
  t.ok(after < before / 100, `loss ${before.toFixed(4)} → ${after.toFixed(6)}`)
  t.same(Array.from(project(space, Float32Array.from(a))), Array.from(a), 'refined window is already valid')
})

t.test('guided generation on a tiny model beats the unguided sample under the forward model', async (t) => {
  const samples = dataset(300, 3, 0.02)
  const { meta, net } = train(space, samples, { hidden: 16, layers: 1, iterations: 150, batch: 32, seed: 1 })
  t.ok(meta.forward, 'train saves the forward model with the model')
  const fwd = new Forward(meta.forward!)
  const parts: GeneratorParts = { meta, eps: netEps(net), forward: fwd, candidates: 4 }
  const goals = [[30, 80, 0, 0], [0, 60, 0, 1e8], [90, 0, 0, 1.5e8], [50, 50, 0, 0]].map((r) => normalise(meta.ranges, r))
  const loss = async (p: Policy) => {
    const rng = new Rng(11)
    let s = 0
    for (const g of goals) s += fwd.lossGrad(await p(g, new Float32Array(meta.net.stateDim), rng), g)
    return s
  }
  const plain = await loss(policyFor(parts, 'diffusion'))
  const guided = await loss(policyFor(parts, 'guided'))
  t.ok(guided < plain / 2, `forward-model loss: guided ${guided.toFixed(4)} < diffusion ${plain.toFixed(4)}`)
  t.throws(() => policyFor({ ...parts, forward: undefined }, 'guided'), /needs a forward model/)
})

t.test('synthetic samples are valid windows labelled by the forward model inside the collected ranges', async (t) => {
  const samples = dataset(200, 6, 0.05)
  const ranges = fitRanges(space.metrics, samples.map((s) => s.obs))
  const fwd = new Forward(fitForward(ranges, samples))
  const syn = synthesise(space, ranges, fwd, samples, 500, new Rng(3))
  t.equal(syn.length, 500)
  const bad = { invalid: 0, outside: 0, chain: 0, label: 0 }
  for (const [i, s] of syn.entries()) {
    if (Array.from(project(space, Float32Array.from(s.comp))).some((v, j) => v !== s.comp[j])) bad.invalid++
    if (s.obs.some((v, n) => v < ranges.min[n]! - 1e-3 || v > ranges.max[n]! + 1e-3)) bad.outside++
    if (s.prev !== (i === 0 ? samples[0]!.comp : syn[i - 1]!.comp)) bad.chain++
    const want = fwd.predict(s.comp).map((v) => Math.min(1, Math.max(0, v)))
    if (normalise(ranges, s.obs).some((v, n) => Math.abs(v - want[n]!) > 1e-4)) bad.label++
  }
  t.same(bad, { invalid: 0, outside: 0, chain: 0, label: 0 }, 'valid windows, inside the collected ranges, chained, labelled by the forward model')
  const fromCollected = syn.filter((s) => samples.some((c) => c.comp.every((v, j) => (v === 0) === (s.comp[j] === 0)))).length
  t.ok(fromCollected >= 250, `${fromCollected} of 500 keep a collected window's layout (half are perturbed collected windows)`)
})

t.test('training adds synthetic samples only when the forward model has enough collected ones, and guides less with them', async (t) => {
  const samples = dataset(300, 7, 0.15)
  const opts = { hidden: 8, layers: 1, iterations: 2, batch: 8, seed: 3 }
  const plain = train(space, samples, { ...opts, synthetic: 0 })
  const aug = train(space, samples, { ...opts, synthetic: 20_000 })
  t.equal(plain.meta.training.synthetic, 0)
  t.equal(aug.meta.training.synthetic, 20_000)
  t.equal(plain.meta.guidance, 3, 'MimeSys guidance without synthetic labels')
  t.equal(aug.meta.guidance, 1.5, 'lower guidance with them')
  t.equal(plain.meta.temperature, 1, 'the posterior as it is without them')
  t.equal(aug.meta.temperature, 0.5, 'half its noise with them')
  t.equal(train(space, samples, { ...opts, synthetic: 100, guidance: 2 }).meta.guidance, 2, 'an explicit guidance wins')
  t.same(aug.meta.ranges, plain.meta.ranges, 'normalisation comes from the collected samples only')
  // 15 forward-model weights need 60 samples.
  t.equal(train(space, samples.slice(0, 59), opts).meta.training.synthetic, 0, 'too few samples to trust the forward model: none added')
  t.equal(train(space, samples.slice(0, 60), { ...opts, synthetic: 10 }).meta.training.synthetic, 10)
})

t.test('closed loop with the forward model removes a known device bias', async (t) => {
  const samples = dataset(400, 4)
  const ranges = fitRanges(space.metrics, samples.map((s) => s.obs))
  const fwd = new Forward(fitForward(ranges, samples))
  const meta = { space, ranges } as GeneratorParts['meta']
  // The device writes 30 % less and computes 10 % more than when the data were collected.
  const bias = [1.1, 1.1, 1, 0.7]
  const device = { run: async (_s: Space, windows: Float32Array[]) => windows.map((w) => planted(w).map((v, n) => v * bias[n]!)) }
  // Pure refinement from a fixed start: the forward model alone decides, so the bias is all there is to correct.
  const policy: Policy = async (target, _s, _r, _rec, aim) => {
    const a = Float32Array.from([0.5, 0, 0, 0.5])
    refine(space, fwd, a, aim ?? target, { steps: 60 })
    return a
  }
  const rows = Array.from({ length: 48 }, () => normalise(ranges, [50, NaN, 0, 6e7]))
  const tail = (rec: Float64Array[], n: number) => rec.slice(24).reduce((s, r) => s + r[n]!, 0) / 24
  const open = await closedLoop(device, { meta }, policy, rows, { chunk: 48 })
  const closed = await closedLoop(device, { meta }, policy, rows, { chunk: 8, forward: fwd })
  t.ok(Math.abs(tail(open, 3) / 6e7 - 0.7) < 0.03, `open loop writes ${(tail(open, 3) / 1e6).toFixed(1)} MB/s for 60`)
  t.ok(Math.abs(tail(closed, 3) / 6e7 - 1) < 0.03, `closed loop writes ${(tail(closed, 3) / 1e6).toFixed(1)} MB/s for 60`)
  t.ok(Math.abs(tail(closed, 0) - 50) < 1.5, `closed loop computes ${tail(closed, 0).toFixed(1)} % for 50 (open ${tail(open, 0).toFixed(1)})`)
  t.equal(closed.length, 48)
  // Real time: four windows per row, recorded windows averaged back into rows; the device reads
  // each window ±20 % (a /proc read-out floor), alternating, so only whole rows are unbiased.
  let played = 0
  const noisy = { run: async (s: Space, windows: Float32Array[]) => {
    played += windows.length
    return (await device.run(s, windows)).map((o, i) => o.map((v) => v * (i % 2 ? 0.8 : 1.2)))
  } }
  const realTime = await closedLoop(noisy, { meta }, policy, rows, { chunk: 8, forward: fwd, perRow: 4 })
  t.equal(realTime.length, 48, 'one recorded row per target row')
  t.equal(played, 192, 'four windows played per row')
  t.ok(Math.abs(tail(realTime, 3) / 6e7 - 1) < 0.03, `real-time closed loop writes ${(tail(realTime, 3) / 1e6).toFixed(1)} MB/s for 60`)
})

/** Mean forward-model loss of the diffusion policy's samples on `rows`, over three seeds. */
async function policyLoss(meta: GeneratorParts['meta'], net: Parameters<typeof netEps>[0], fwd: Forward, rows: Float32Array[]): Promise<number> {
  const parts: GeneratorParts = { meta, eps: netEps(net) }
  let s = 0
  for (const seed of [1, 2, 3]) {
    const w = await generate(parts, policyFor(parts, 'diffusion'), rows, 1, { seed })
    w.forEach((a, i) => { s += fwd.lossGrad(a, rows[i]!) })
  }
  return s / (3 * rows.length)
}

function randomTarget(name: string, n: number, seed: number): Target {
  const rng = new Rng(seed)
  return { name, metrics: space.metrics, periodS: 0.25, rows: Array.from({ length: n }, () => Float64Array.from([20 + 60 * rng.next(), 80 * rng.next(), 0, 1.2e8 * rng.next()])) }
}

t.test('alignment rewarded by the forward model improves the diffusion policy on its targets', async (t) => {
  const samples = dataset(300, 5, 0.02)
  const { meta, net } = train(space, samples, { hidden: 32, layers: 2, iterations: 400, batch: 64, seed: 2 })
  const fwd = new Forward(meta.forward!)
  const replayer = forwardReplayer(meta.ranges, fwd)
  const [o] = await replayer.run(space, [Float32Array.from([0.5, 0, 0, 0.5])])
  t.same(Array.from(o!).map((v, n) => Math.round(normalise(meta.ranges, o!)[n]! * 1e4)), Array.from(fwd.predict([0.5, 0, 0, 0.5])).map((v) => Math.round(v * 1e4)), 'the replayer returns the forward model in raw units')
  const target = randomTarget('goal', 24, 9)
  const rows = targetRows(meta, target)
  const before = await policyLoss(meta, net, fwd, rows)
  const rewards = await align(replayer, meta, net, [target], { iterations: 60, segment: 24, lr: 3e-4, seed: 1 })
  const after = await policyLoss(meta, net, fwd, rows)
  t.equal(rewards.length, 60)
  t.ok(after < 0.8 * before, `forward-model loss of diffusion samples ${before.toFixed(4)} -> ${after.toFixed(4)}`)
})

t.test('alignment at real time rewards each row by the average of its windows', async (t) => {
  const { meta, net } = train(space, dataset(300, 6, 0.02), { hidden: 32, layers: 2, iterations: 100, batch: 64, seed: 6 })
  const goal = [0.4, 0.3, 0.2, 0.5].map((f, n) => meta.ranges.min[n]! + f * (meta.ranges.max[n]! - meta.ranges.min[n]!))
  const target: Target = { name: 'steady', metrics: space.metrics, periodS: 1, rows: Array.from({ length: 6 }, () => Float64Array.from(goal)) }
  // The first window of every 1 s row records four times the goal and the other three nothing:
  // every row averages to the goal exactly, while no window alone is near it.
  let played = 0
  const bursty = { run: async (_s: Space, windows: Float32Array[]) => windows.map((_, i) => { played++; return Float32Array.from(goal, (v) => (i % 4 ? 0 : 4 * v)) }) }
  const realTime = await align(bursty, meta, net, [target], { iterations: 1, segment: 6, realTime: true })
  t.equal(played, 24, 'four 250 ms windows per 1 s row')
  t.ok(Math.abs(realTime[0]!) < 1e-6, `rows averaged: reward ${realTime[0]}`)
  played = 0
  const compressed = await align(bursty, meta, net, [target], { iterations: 1, segment: 6 })
  t.equal(played, 6, 'one window per row')
  t.ok(compressed[0]! < -0.3, `window by window: reward ${compressed[0]}`)
})

t.test('the chain gradient of a sample is the derivative of the sampler with its draws held fixed', async (t) => {
  const { meta, net } = train(space, dataset(300, 8, 0.02), { hidden: 16, layers: 2, iterations: 100, batch: 64, seed: 8 })
  const goal = normalise(meta.ranges, [50, 30, 0, 6e7])
  const state = new Float32Array(meta.net.stateDim)
  // x_final (before clean-up and projection) of one trajectory, its draws fixed by the seed.
  const final = async (): Promise<{ x: Float32Array; rec: StepRecord[] }> => {
    const rec: StepRecord[] = []
    await new WindowSampler(space, meta.net, netEps(net), meta.guidance, meta.temperature ?? 1).sample(goal, state, new Rng(11), rec)
    return { x: rec.at(-1)!.next, rec }
  }
  const { x, rec } = await final()
  t.equal(rec.length, meta.net.steps, 'every step is recorded, the deterministic last one too')
  t.equal(rec.at(-1)!.std, 0)
  const c = Float32Array.from(x, (_, j) => Math.sin(3 * j + 1)) // L = Σ c_j·x_j
  const dot = (v: Float32Array) => v.reduce((s, vj, j) => s + c[j]! * vj, 0)
  const params = net.params()
  params.forEach((p) => p.grad.fill(0))
  chainGradient(meta, net, [rec], [c], meta.net.steps)
  // Central differences on the largest-gradient weights of the first and last layers.
  for (const p of [params[0]!, params.at(-2)!]) {
    const idx = p.grad.reduce((best, g, i, a) => (Math.abs(g) > Math.abs(a[best]!) ? i : best), 0)
    const h = 1e-3
    const v = p.value[idx]!
    p.value[idx] = v + h; const up = dot((await final()).x)
    p.value[idx] = v - h; const down = dot((await final()).x)
    p.value[idx] = v
    const fd = (up - down) / (2 * h)
    t.ok(Math.abs(fd - p.grad[idx]!) < 0.05 * Math.abs(fd) + 1e-3, `${p.name}[${idx}]: backprop ${p.grad[idx]!.toFixed(4)} vs finite differences ${fd.toFixed(4)}`)
  }
})

t.test('reward backpropagation improves the diffusion policy on its targets and on held-out ones', async (t) => {
  const samples = dataset(300, 5, 0.02)
  const { meta, net } = train(space, samples, { hidden: 32, layers: 2, iterations: 400, batch: 64, seed: 2 })
  const fwd = new Forward(meta.forward!)
  const target = randomTarget('goal', 24, 9)
  const held = targetRows(meta, randomTarget('held', 24, 10))
  const before = await policyLoss(meta, net, fwd, targetRows(meta, target))
  const heldBefore = await policyLoss(meta, net, fwd, held)
  const rewards = await alignGradient(meta, net, fwd, [target], { iterations: 40, segment: 24, lr: 1e-3, seed: 1 })
  const after = await policyLoss(meta, net, fwd, targetRows(meta, target))
  const heldAfter = await policyLoss(meta, net, fwd, held)
  t.equal(rewards.length, 40)
  t.ok(after < 0.6 * before, `forward-model loss of diffusion samples ${before.toFixed(4)} -> ${after.toFixed(4)}`)
  t.ok(heldAfter < 0.8 * heldBefore, `on targets it was not aligned on ${heldBefore.toFixed(4)} -> ${heldAfter.toFixed(4)}`)
  t.ok(Math.max(...rewards) > rewards[0]!, 'the kept weights are a later iteration\'s')
})

t.test('both alignments accumulate their gradient over chunks: the same update as one pass', async (t) => {
  const samples = dataset(300, 5, 0.02)
  const trained = train(space, samples, { hidden: 32, layers: 2, iterations: 200, batch: 64, seed: 4 })
  const fwd = new Forward(trained.meta.forward!)
  const replayer = forwardReplayer(trained.meta.ranges, fwd)
  const target = randomTarget('long', 300, 5)
  const methods = {
    'DDPO': (meta: typeof trained.meta, net: typeof trained.net, gradChunk: number) =>
      align(replayer, meta, net, [target], { iterations: 2, segment: 300, lr: 3e-3, seed: 3, gradChunk }),
    'reward backpropagation': (meta: typeof trained.meta, net: typeof trained.net, gradChunk: number) =>
      alignGradient(meta, net, fwd, [target], { iterations: 2, segment: 300, lr: 1e-2, seed: 3, gradChunk }),
  }
  for (const [name, method] of Object.entries(methods)) {
    // The second iteration's reward is measured after the first update, so it tells the updates apart.
    const run = async (gradChunk: number) => {
      const { meta, net } = train(space, samples, { hidden: 32, layers: 2, iterations: 200, batch: 64, seed: 4 })
      return method(meta, net, gradChunk)
    }
    const one = await run(300)
    const chunked = await run(7)
    t.equal(chunked[0], one[0], `${name}: same samples before the update`)
    t.ok(Math.abs(chunked[1]! - one[1]!) < 1e-4 * Math.abs(one[1]!), `${name}: after the update ${chunked[1]} vs ${one[1]} in one pass`)
    t.ok(Math.abs(one[1]! - one[0]!) > 1e-3 * Math.abs(one[0]!), `${name}: the update changes the samples (${one[0]} -> ${one[1]})`)
  }
})

t.test('generator align refuses bad options (reward source, numbers) before touching the model or the device', async (t) => {
  const { alignCmd } = await import('../cli/generator-align.js')
  await t.rejects(alignCmd(['--model', '/nonexistent', '--traces', '/nonexistent', '--reward', 'bogus']), /--reward must be device, forward or gradient, got 'bogus'/)
  await t.rejects(alignCmd(['--model', '/nonexistent', '--traces', '/nonexistent', '--segment', '1']), /--segment must be an integer ≥ 2, got '1'/, 'numeric options too, before the first replay')
  await t.rejects(alignCmd(['--model', '/nonexistent', '--traces', '/nonexistent', '--reward', 'gradient', '--depth', '0']), /--depth must be an integer ≥ 1, got '0'/)
  await t.rejects(alignCmd(['--model', '/nonexistent', '--traces', '/nonexistent', '--depth', '2']), /--depth is for --reward gradient/, 'a DDPO run refuses the gradient\'s depth')
})
