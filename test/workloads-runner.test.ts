import t from 'tap'
import { runWorkload } from '../workloads/runner.js'
import { toComponent } from '../workloads/compile-c.js'
import { capMemory } from '../workloads/memory-cap.js'
import { fixtureWasm, toolchainMissing } from './fixtures/workloads/fixtures.js'

const missing = await toolchainMissing()

t.test('preview1 modules run real work and report their output', { skip: missing ?? false }, async (t) => {
  const r = await runWorkload({ wasm: await fixtureWasm('matmul'), args: ['40', '2'], name: 'matmul' })
  t.equal(r.status, 'ok', r.message)
  t.equal(r.kind, 'preview1')
  t.match(r.stdout, /^matmul n=40 reps=2 trace=/)
  t.ok(r.runtimeMs > 0 && r.runtimeMs <= r.totalMs)
})

t.test('input files are readable through the preopened directory', { skip: missing ?? false }, async (t) => {
  const text = 'edge fleets place workloads under interference. '.repeat(200)
  const r = await runWorkload({ wasm: await fixtureWasm('lz'), args: ['64', '1', 'in.txt'], files: { 'in.txt': text } })
  t.equal(r.status, 'ok', r.message + r.stderr)
  t.match(r.stdout, new RegExp(`bytes=${text.length} `))
  await t.rejects(runWorkload({ wasm: await fixtureWasm('lz'), files: { '../escape': 'x' } }), { code: 'EM_INVALID_INPUT' })
})

t.test('trap, non-zero exit, timeout and memory exhaustion are reported, never fatal', { skip: missing ?? false }, async (t) => {
  const wasm = await fixtureWasm('misbehave')
  const trap = await runWorkload({ wasm, args: ['trap'] })
  t.equal(trap.status, 'trap')
  t.match(trap.message, /unreachable/)
  const exit = await runWorkload({ wasm, args: ['exit', '7'] })
  t.same([exit.status, exit.exitCode], ['exit', 7])
  const spin = await runWorkload({ wasm, args: ['spin'], wallLimitMs: 300 })
  t.equal(spin.status, 'timeout')
  t.ok(spin.totalMs < 3000, `terminated promptly (${spin.totalMs.toFixed(0)} ms)`)
  const ac = new AbortController()
  setTimeout(() => ac.abort(new Error('the requester is gone')), 300)
  const cancelled = await runWorkload({ wasm, args: ['spin'], wallLimitMs: 60_000 }, { signal: ac.signal })
  t.same([cancelled.status, cancelled.message], ['cancelled', 'cancelled: the requester is gone'])
  t.ok(cancelled.totalMs < 10_000, `stopped when aborted, not at its 60 s limit (${cancelled.totalMs.toFixed(0)} ms)`)
  const oom = await runWorkload({ wasm, args: ['oom'], memoryLimitBytes: 16 * 2 ** 20 })
  t.equal(oom.status, 'oom', oom.message)
  t.match(oom.stderr, /malloc failed after 1[0-9] MiB/)
  const ok = await runWorkload({ wasm, args: ['ok'] })
  t.equal(ok.status, 'ok', 'the host still runs workloads afterwards')
})

t.test('a module whose initial memory is over the limit is refused before it runs', { skip: missing ?? false }, async (t) => {
  const wasm = await fixtureWasm('sort')
  t.throws(() => capMemory(wasm, 65536), { code: 'EM_CAP_EXCEEDED' })
  await t.rejects(runWorkload({ wasm: Uint8Array.from([1, 2, 3]) }), { code: 'EM_INVALID_INPUT' })
})

t.test('preview2 components run through jco', { skip: missing ?? false }, async (t) => {
  const component = await toComponent(await fixtureWasm('sha256'))
  const r = await runWorkload({ wasm: component, args: ['64', '2'], name: 'sha256' })
  t.equal(r.kind, 'preview2')
  t.equal(r.status, 'ok', r.message + r.stderr)
  t.match(r.stdout, /sha256 bytes=65536 reps=2 h0=[0-9a-f]{8}/)
  const p1 = await runWorkload({ wasm: await fixtureWasm('sha256'), args: ['64', '2'] })
  t.equal(r.stdout.trimEnd(), p1.stdout.trimEnd(), 'same answer as the core module')
  const exit = await runWorkload({ wasm: await toComponent(await fixtureWasm('misbehave')), args: ['exit', '3'] })
  // WASI 0.2's wasi:cli/exit carries only ok/err, so every failing code arrives as 1.
  t.same([exit.status, exit.exitCode], ['exit', 1])
})
