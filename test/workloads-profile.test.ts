import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ProfileCache, profileKey } from '../workloads/profile.js'
import { instrumentInWorker } from '../workloads/instrument-host.js'
import { runWorkload } from '../workloads/runner.js'
import { DATASET_OPCODE_COLUMNS } from '../workloads/dataset-opcodes.js'
import { toComponent } from '../workloads/compile-c.js'
import { embeddedCoreModules } from '../workloads/component-modules.js'
import { fixtureWasm, toolchainMissing } from './fixtures/workloads/fixtures.js'
import { tempDir } from './helpers/temp-dir.js'

const missing = await toolchainMissing()
const CSV = '/work/shared/data/pitot/workloads.csv'

t.test('feature columns are the dataset\'s, in its order', { skip: existsSync(CSV) ? false : `no ${CSV}` }, async (t) => {
  const header = readFileSync(CSV, 'utf8').split(/\r?\n/, 1)[0]!.split(',').filter((c) => c.startsWith('op_'))
  t.same(DATASET_OPCODE_COLUMNS, header)
})

t.test('dynamic counts match what the kernel provably executes', { skip: missing ?? false }, async (t) => {
  const cache = new ProfileCache(tempDir(t, 'edgemime-profiles-'))
  const n = 48
  const reps = 3
  const p = await cache.profile({ wasm: await fixtureWasm('matmul'), args: [String(n), String(reps)] })
  t.equal(p.features.length, 141)
  const muls = p.counts['a2'] ?? 0 // f64.mul: exactly n^3 per repetition in the triple loop
  t.ok(muls >= n ** 3 * reps && muls <= n ** 3 * reps * 1.02, `f64.mul count ${muls} vs ${n ** 3 * reps}`)
  t.ok((p.counts['a0'] ?? 0) >= n ** 3 * reps, 'f64.add at least once per multiply')
  t.ok(p.features.every((f) => f >= 0 && Number.isFinite(f)))
  t.equal(p.features[DATASET_OPCODE_COLUMNS.indexOf('op_xA2')], Math.log1p(muls), 'ln(1 + count) in column order')
  const bigger = await cache.profile({ wasm: await fixtureWasm('matmul'), args: [String(2 * n), String(reps)] })
  t.ok(Math.abs((bigger.counts['a2'] ?? 0) / muls - 8) < 0.1, 'counts scale with the work (n^3)')
  t.not(profileKey({ wasm: await fixtureWasm('matmul'), args: ['1'] }), p.key, 'arguments are part of the key')
})

t.test('profiles are cached by module hash: memory, then disk', { skip: missing ?? false }, async (t) => {
  const dir = tempDir(t, 'edgemime-profiles-')
  const spec = { wasm: await fixtureWasm('sha256'), args: ['32', '1'] }
  const first = await new ProfileCache(dir).profile(spec)
  t.ok(existsSync(join(dir, `${first.key}.json`)))
  const t0 = performance.now()
  const again = await new ProfileCache(dir).profile(spec)
  t.same(again, first)
  t.ok(performance.now() - t0 < 1000, 'read from disk, not re-run')
  t.ok((first.counts['73'] ?? 0) > 0, 'sha256 does xor (i32.xor)')
})

t.test('the instrumented copy computes the same answer', { skip: missing ?? false }, async (t) => {
  const wasm = await fixtureWasm('lz')
  const { wasm: inst, histograms } = await instrumentInWorker(wasm)
  const a = await runWorkload({ wasm, args: ['32'] })
  const b = await runWorkload({ wasm: inst, args: ['32'] }, { counters: histograms.length })
  t.equal(b.stdout, a.stdout)
  t.equal(b.counters?.length, histograms.length)
  await t.rejects(instrumentInWorker(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99])), { code: 'EM_INVALID_INPUT' })
})

t.test('a profiling run that fails is an error, not a profile', { skip: missing ?? false }, async (t) => {
  await t.rejects(new ProfileCache().profile({ wasm: await fixtureWasm('misbehave'), args: ['trap'] }), { code: 'EM_INVALID_INPUT', message: /trap/ })
})

t.test('a component is profiled through the preview1 command inside it', { skip: missing ?? false }, async (t) => {
  const core = await fixtureWasm('sha256')
  const component = await toComponent(core)
  t.ok(embeddedCoreModules(component).length >= 2, 'the command and the adapter are both inside')
  const spec = { args: ['32', '1'] }
  const [fromCore, fromComponent] = await Promise.all([new ProfileCache().profile({ ...spec, wasm: core }), new ProfileCache().profile({ ...spec, wasm: component })])
  t.same(fromComponent.counts, fromCore.counts, 'the same dynamic counts as the core module')
  t.not(fromComponent.key, fromCore.key, 'cached under the component\'s own hash')
  // A component with no core module at all (header only) cannot be profiled: a clear error.
  const empty = Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])
  await t.rejects(new ProfileCache().profile({ wasm: empty }), { code: 'EM_INVALID_INPUT', message: /component made from one with the WASI preview1 adapter/ })
})
