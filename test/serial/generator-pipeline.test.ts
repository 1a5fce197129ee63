// End-to-end generator pipeline on a tiny budget: real stressors, real /proc recording, a tiny
// model trained with ml/, exported to ONNX and sampled with onnxruntime.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { alignCmd } from '../../cli/generator-align.js'
import { Rng } from '../../ml/rng.js'
import { closedLoop } from '../../generator/closed-loop.js'
import { collect } from '../../generator/collect.js'
import { Device } from '../../generator/device.js'
import { evalOne } from '../../generator/evaluate.js'
import { generate, policyFor, targetRows } from '../../generator/generate.js'
import { loadModel, saveModel } from '../../generator/model.js'
import { normalise } from '../../generator/normalise.js'
import { exportOnnx } from '../../generator/onnx.js'
import { openParts } from '../../generator/parts.js'
import { randomComposition } from '../../generator/space.js'
import { parseTarget, readTarget } from '../../generator/target.js'
import { train } from '../../generator/train.js'
import { tempDir } from '../helpers/temp-dir.js'

t.test('collect -> train -> generate -> replay on a tiny budget', async (t) => {
  const dir = tempDir(t, 'gen-e2e-')
  const data = join(dir, 'data')
  let progress = 0
  const ds = await collect({ out: data, windows: 96, windowMs: 100, strategy: 'novelty', round: 24, candidates: 96, onProgress: (d) => { progress = d } })
  t.equal(ds.samples.length, 96)
  t.equal(progress, 96)
  for (const s of ds.samples) {
    t.ok(s.obs[0]! >= 0 && s.obs[0]! <= 100 && s.obs[2]! >= 0, 'recorded metrics in range')
  }
  const busy = ds.samples.map((s) => s.obs[0]!)
  t.ok(Math.max(...busy) > 30, `the stressors show up in the recording (max cpu_util_0 ${Math.max(...busy).toFixed(0)}%)`)

  // 2 000 iterations (a second): at 600, threads that may compute and do I/O left the tiny model
  // spreading disk fractions over CPU-only rows, no better than random (L1 0.95 vs 0.96-0.99).
  const { meta, net } = train(ds.meta.space, ds.samples, { hidden: 48, layers: 2, iterations: 2000, batch: 64, seed: 1 })
  meta.training.data = data
  const modelDir = join(dir, 'model')
  saveModel(modelDir, meta, net, exportOnnx(meta.net, net))
  // One core busy, the other idle, no disk: easy to tell apart from a random composition.
  const csv = 'time_s,cpu_util_0,cpu_util_1,disk_read_bytes_per_s,disk_write_bytes_per_s\n' +
    Array.from({ length: 16 }, (_, i) => `${i + 1},95,0,0,0`).join('\n')
  const parts = await openParts(modelDir)
  const device = await Device.open(meta.space)
  try {
    const target = parseTarget(csv, meta.space.metrics, 'one-core')
    const rows = targetRows(meta, target)
    const windows = await generate(parts, policyFor(parts, 'diffusion'), rows, 1, { seed: 3 })
    t.equal(windows.length, 16)
    for (const w of windows) {
      t.equal(w.length, 16)
      t.ok(w.every((v) => v >= 0 && v <= 1), 'fractions in [0, 1]')
    }
    const l1 = async (ws: Float32Array[]) => {
      const obs = await device.run(meta.space, ws)
      let s = 0
      obs.forEach((o, i) => normalise(meta.ranges, o).forEach((v, n) => { s += Math.abs(v - rows[i]![n]!) }))
      return s / obs.length
    }
    const rng = new Rng(9)
    const model = await l1(windows)
    const random = await l1(windows.map(() => randomComposition(meta.space, rng)))
    t.ok(model < random, `trained model beats random compositions (L1 ${model.toFixed(3)} < ${random.toFixed(3)})`)
    t.ok(device.foreignLoadPct !== null && device.foreignLoadPct >= 0, `the device measured other processes' load during its replays (${device.foreignLoadPct?.toFixed(1)} % of a core)`)

    const best = await generate({ ...parts, candidates: 4 }, policyFor({ ...parts, candidates: 4 }, 'diffusion'), rows.slice(0, 4), 1, { seed: 3 })
    t.equal(best.length, 4, 'best-of-n diffusion gives one window per row')
    const looped = await closedLoop(device, parts, policyFor(parts, 'diffusion'), rows.slice(0, 8), { chunk: 4 })
    t.equal(looped.length, 8, 'closed-loop replay records every row')
    t.ok(looped.every((r) => r.length === 4 && r.every((v) => v >= 0)), 'closed-loop rows are trace windows')
    t.ok(parts.forward, 'the saved model carries its forward model')
    const guided = await closedLoop(device, parts, policyFor(parts, 'guided'), rows.slice(0, 8), { chunk: 4, forward: parts.forward })
    t.equal(guided.length, 8, 'guided closed-loop replay records every row')
    t.ok(guided.every((r) => r.length === 4 && r.every((v) => v >= 0)), 'guided closed-loop rows are trace windows')
    const realTime = await closedLoop(device, parts, policyFor(parts, 'guided'), rows.slice(0, 4), { chunk: 2, perRow: 2, forward: parts.forward })
    t.equal(realTime.length, 4, 'a closed loop playing two windows per row records one row per target row')
    t.ok(realTime.every((r) => r.length === 4 && r.every((v) => v >= 0)), 'real-time rows are trace windows')

    const { result } = await evalOne(device, parts, target, 'search')
    t.ok(result.mean >= 0 && Number.isFinite(result.mean), `search baseline scores ${result.mean.toFixed(3)}`)
    t.same(Object.keys(result.per_metric), meta.space.metrics)
  } finally {
    await device.close()
    await parts.release()
  }
  // A broken trace is refused once the model is open, before any replay (and the model's
  // onnxruntime session is released on the way out).
  const badTraces = join(dir, 'bad-traces')
  mkdirSync(badTraces)
  writeFileSync(join(badTraces, 'broken.csv'), 'time_s,cpu_util_0\n1,abc\n')
  await t.rejects(alignCmd(['--model', modelDir, '--traces', badTraces]), /broken: line 2, column cpu_util_0: not a number \('abc'\)/)
  // The CLI end to end with reward backpropagation: scored by replays before and after, saved with its record.
  const traces = join(dir, 'traces')
  mkdirSync(traces)
  writeFileSync(join(traces, 'one-core.csv'), csv)
  const aligned = join(dir, 'aligned')
  t.equal(await alignCmd(['--model', modelDir, '--traces', traces, '--out', aligned, '--reward', 'gradient', '--iterations', '5', '--segment', '8']), 0)
  const record = loadModel(aligned).meta.training.alignment as { reward: string; iterations: number; dtwBefore: number; dtwAfter: number }
  t.equal(record.reward, 'gradient')
  t.equal(record.iterations, 5, 'one reward per iteration')
  t.ok(record.dtwBefore >= 0 && record.dtwAfter >= 0, `replayed before ${record.dtwBefore.toFixed(3)}, after ${record.dtwAfter.toFixed(3)}`)
  t.throws(() => readTarget(join(dir, 'missing.csv'), meta.space.metrics), /cannot read target/)
  t.throws(() => targetRows(meta, parseTarget('time_s,cpu_util_0\n1,1\n', ['cpu_util_0'])), /differ from the model/)
})
