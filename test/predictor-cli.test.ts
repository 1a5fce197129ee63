import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { writeSynth } from './helpers/predictor-synth.js'
import { tempDir } from './helpers/temp-dir.js'

const exec = promisify(execFile)
const main = new URL('../cli/main.ts', import.meta.url).pathname
const cli = (...args: string[]) => exec(process.execPath, ['--import', 'tsx', main, 'predictor', ...args], { maxBuffer: 1 << 24 })
const tiny = ['--set', 'rank=8', '--set', 'hidden=32', '--set', 'batch=256', '--set', 'validateEvery=50', '--set', 'learningRate=0.01', '--steps', '300']

const train = writeSynth({ platforms: 16, workloads: 20, isolated: 400, paired: 600, seed: 11 }, tempDir(t, 'pitot-synth-'))
// Same generator and seed (same planted structure), different rows: a withheld test set.
const heldOut = writeSynth({ platforms: 16, workloads: 20, isolated: 150, paired: 200, seed: 11 }, tempDir(t, 'pitot-test-'))
const model = join(tempDir(t, 'pitot-model-'), 'm')

t.test('train writes a model directory; test prints the contract JSON', async (t) => {
  await cli('train', '--data', train.dir, '--out', model, ...tiny)
  for (const f of ['params.safetensors', 'model.json', 'model.onnx', 'rows/train/mf.csv', 'rows/cal/if2.csv', 'rows/cold/platform-0.csv']) t.ok(existsSync(join(model, f)), f)
  // Cold margins and seen masks travel as ONNX metadata (the graph has no notion of unseen).
  const onnx = readFileSync(join(model, 'model.onnx')).toString('latin1')
  for (const key of ['cold_calibration', 'platform_seen', 'workload_seen']) t.ok(onnx.includes(key), `ONNX metadata ${key}`)
  const plot = join(model, 'bounds.svg')
  const { stdout } = await cli('test', '--model', model, '--data', heldOut.dir, '--json', '--plot', plot)
  t.match(readFileSync(plot, 'utf8'), /<svg[\s\S]*covered/, 'bounds plot written')
  const r = JSON.parse(stdout)
  t.same(Object.keys(r.pools).sort(), ['0', '1'])
  for (const pool of ['0', '1']) {
    const p = r.pools[pool]
    t.equal(p.rows, pool === '0' ? 150 : 200)
    t.ok(p.mape > 0 && p.mape < 0.2, `pool ${pool} mape ${p.mape} is a fraction`)
    t.ok(p.mape_truth > 0 && p.mape_truth < 0.2)
    t.same(Object.keys(p.eps).sort(), ['0.01', '0.05', '0.1'])
    for (const e of Object.values(p.eps) as { coverage: number; tightness: number; overprovision: number }[]) {
      t.ok(e.coverage >= 0 && e.coverage <= 1 && e.tightness >= 0 && e.overprovision >= 0)
    }
  }
})

t.test('predict by name and index, with co-runners; update refreshes in place', async (t) => {
  const a = JSON.parse((await cli('predict', '--model', model, '--platform', 'plat-3', '--workload', '5', '--with', 'work-7', '--eps', '0.1', '--json')).stdout)
  const truth = Math.exp(train.truth(3, 5, [7]))
  t.ok(Math.abs(a.runtime_us / truth - 1) < 0.25, `prediction ${a.runtime_us} near truth ${truth}`)
  t.ok(a.bound_us > a.runtime_us, 'bound above the point prediction')
  const u = JSON.parse((await cli('update', '--model', model, '--data', heldOut.dir, '--json')).stdout)
  t.equal(u.newRows, 350)
  t.ok(u.training.steps > 0)
})

t.test('bad input exits 2 with a clear message', async (t) => {
  await t.rejects(cli('predict', '--model', model, '--platform', 'nope', '--workload', '1'), { code: 2, stderr: /unknown platform 'nope'/ })
  await t.rejects(cli('eval', '--data', train.dir), { code: 2, stderr: /--split must be/ })
  await t.rejects(cli('test', '--model', join(model, 'missing'), '--data', heldOut.dir), { code: 2, stderr: /not a predictor model directory/ })
})
