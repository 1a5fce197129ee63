import t from 'tap'
import { existsSync, readdirSync } from 'node:fs'
import type { Caps } from '../../common/config.js'
import { CapExceededError, ConflictError } from '../../common/errors.js'
import { Executor, parseComposition, type WindowReport } from '../../stressors-wasm/index.js'
import { tempDir } from '../helpers/temp-dir.js'

const MiB = 2 ** 20
const diskDir = tempDir(t, 'edgemime-exec-')
const caps: Caps = { maxThreads: 4, maxMemoryBytes: 256 * MiB, diskDir, diskQuotaBytes: 64 * MiB, maxDurationS: 60 }
const small = { bufferBytes: MiB }

function comp(windows: number[][][], stressors: { name: string, params?: Record<string, number> }[], windowMs = 50, threads = 2) {
  return parseComposition({ version: 1, windowMs, threads, stressors, windows, metadata: {} })
}

const executor = await Executor.create({ threads: 2, caps })
t.teardown(() => executor.close())

t.test('work counters move, an idle thread does no work, order shuffles but durations hold', async (t) => {
  const stressors = [{ name: 'cpu-crc32c', params: small }, { name: 'cache-memcpy-l1' }, { name: 'mem-chase', params: small },
    { name: 'mem-hashset-256k', params: { entries: 4096 } }, { name: 'idle' }]
  // Thread 0 runs four stressors (15 ms each: long enough to do work on a loaded machine), thread 1 only sleeps.
  const w = [[0.15, 0], [0.15, 0], [0.15, 0], [0.15, 0], [0, 0.5]]
  const windows: WindowReport[] = []
  const r = await executor.replay(comp(Array.from({ length: 8 }, () => w), stressors, 100), { onWindow: (x) => windows.push(x) })
  t.equal(r.interrupted, false)
  t.equal(r.totals.windows, 8)
  t.same(windows.map((x) => x.index), [0, 1, 2, 3, 4, 5, 6, 7], 'every window reported in order')
  for (const s of r.totals.stressors.slice(0, 4)) t.ok(s.ops > 0 && s.bytes > 0, `${s.name} did work (${s.ops} ops)`)
  const idle = r.windows.flatMap((x) => x.entries.filter((e) => e.thread === 1))
  t.equal(idle.length, 8, 'one idle entry per window on thread 1')
  t.ok(idle.every((e) => e.name === 'idle' && e.ops === 0 && e.bytes === 0), 'the idle thread did no work')
  const orders = new Set(r.windows.map((x) => x.entries.filter((e) => e.thread === 0).sort((a, b) => a.startMs - b.startMs).map((e) => e.stressor).join()))
  t.ok(orders.size > 1, `order changes between windows (${orders.size} distinct orders)`)
  for (const x of r.windows) {
    const planned = x.entries.filter((e) => e.thread === 0).map((e) => e.plannedMs)
    t.ok(planned.length === 4 && planned.every((p) => Math.abs(p - 15) < 1e-9), `window ${x.index}: each stressor planned 15 ms`)
  }
  t.ok(r.timing.mean_abs_error_fraction >= 0 && Number.isFinite(r.timing.max_start_drift_ms))
})

t.test('repeat and startAt play the right windows, anchored back to back', async (t) => {
  // Window t gives thread 0 a fraction of 0.1 × (t + 1), so each report shows which window played.
  const c = comp([[[0.1, 0]], [[0.2, 0]], [[0.3, 0]]], [{ name: 'cache-memcpy-l1' }], 60)
  const r = await executor.replay(c, { repeat: 2, startAt: 2 })
  t.same(r.windows.map((w) => w.index), [2, 3, 4, 5])
  t.same(r.windows.map((w) => Math.round(w.entries[0]!.plannedMs)), [18, 6, 12, 18], 'windows 2, 0, 1, 2 of the composition')
  t.same(r.windows.map((w) => w.plannedStartMs), [0, 60, 120, 180], 'planned starts are anchored multiples of W')
  await t.rejects(executor.replay(c, { startAt: 3 }), /startAt must be an integer in \[0, 3\)/)
})

t.test('disk stressors do block I/O in caps.diskDir and their file is removed after the replay', async (t) => {
  const stressors = [{ name: 'disk-read-256k', params: { fileBytes: 4 * MiB } }, { name: 'disk-write-256k-p25', params: { fileBytes: 4 * MiB } }]
  const r = await executor.replay(comp(Array.from({ length: 4 }, () => [[0.4, 0], [0.4, 0]]), stressors, 100))
  t.ok(r.totals.stressors[0]!.ops > 0, `reads: ${r.totals.stressors[0]!.ops} blocks`)
  t.ok(r.totals.stressors[1]!.ops > 0, `paced writes: ${r.totals.stressors[1]!.ops} blocks`)
  t.ok(r.totals.stressors[1]!.ops <= 4 * Math.ceil(40 / 25) + 4, 'the 25 ms pause paces the writes')
  t.same(readdirSync(diskDir), [], 'disk file removed')
})

t.test('a thread that computes and does I/O in one window runs each stressor in its own slice', async (t) => {
  const stressors = [{ name: 'cpu-crc32c', params: small }, { name: 'disk-write-256k-p25', params: { fileBytes: 4 * MiB } }]
  const r = await executor.replay(comp(Array.from({ length: 4 }, () => [[0.3, 0], [0.3, 0]]), stressors, 100))
  for (const w of r.windows) {
    const [crc, write] = [0, 1].map((m) => w.entries.find((e) => e.thread === 0 && e.stressor === m))
    t.ok(crc && write, `window ${w.index}: both stressors ran on thread 0`)
    t.ok(crc!.ops > 0 && write!.bytes > 0, `window ${w.index}: ${crc!.ops} hashing ops and ${write!.bytes} bytes written`)
    // Blocking writes must not eat into the hashing slice (they are paced, one 256 KiB block per 25 ms).
    t.ok(crc!.executedMs > 0.5 * crc!.plannedMs, `window ${w.index}: hashing ran ${crc!.executedMs.toFixed(1)} of ${crc!.plannedMs} ms`)
  }
  t.same(readdirSync(diskDir), [], 'disk file removed')
})

t.test('over-cap and mismatched compositions are refused before anything runs', async (t) => {
  let windows = 0
  const big = comp([[[0.5, 0.5]]], [{ name: 'mem-stream', params: { bufferBytes: 512 * MiB } }])
  await t.rejects(executor.replay(big, { onWindow: () => windows++ }), CapExceededError)
  const disk = comp([[[0.5, 0.5]]], [{ name: 'disk-read-1m', params: { fileBytes: 128 * MiB } }])
  await t.rejects(executor.replay(disk), /quota/)
  const wide = comp([[[0.1, 0.1, 0.1]]], [{ name: 'idle' }], 50, 3)
  await t.rejects(executor.replay(wide), /3 threads; the executor has 2/)
  t.equal(windows, 0, 'no window ran')
  t.same(readdirSync(diskDir), [], 'no disk file created')
})

t.test('a second concurrent replay is refused; abort stops the running one promptly', async (t) => {
  const c = comp(Array.from({ length: 100 }, () => [[0.6, 0.3]]), [{ name: 'cpu-crc32c', params: small }], 100)
  const ac = new AbortController()
  const running = executor.replay(c, { signal: ac.signal })
  await t.rejects(executor.replay(c), ConflictError)
  await new Promise((r) => setTimeout(r, 400))
  const t0 = performance.now()
  ac.abort()
  const r = await running
  const stopMs = performance.now() - t0
  t.ok(r.interrupted, 'report says interrupted')
  t.ok(r.totals.windows < 100, `stopped after ${r.totals.windows} windows`)
  t.ok(stopMs < 1000, `replay returned ${stopMs.toFixed(1)} ms after abort`)
  t.comment(`abort latency ${stopMs.toFixed(1)} ms`)
  const again = await executor.replay(comp([[[0.2, 0.2]]], [{ name: 'cpu-crc32c', params: small }]))
  t.equal(again.interrupted, false, 'the executor is reusable after an abort')
  t.ok(existsSync(diskDir))
})

t.test('close() during a replay ends it as interrupted, then stops the threads', async (t) => {
  const ex = await Executor.create({ threads: 1, caps })
  const running = ex.replay(comp(Array.from({ length: 50 }, () => [[0.5]]), [{ name: 'cpu-fp-simd' }], 100, 1))
  await new Promise((r) => setTimeout(r, 300))
  await ex.close()
  const r = await running
  t.equal(r.interrupted, true)
  t.ok(r.totals.windows < 50)
  await t.rejects(ex.replay(comp([[[0.5]]], [{ name: 'idle' }], 50, 1)), ConflictError, 'a closed executor refuses replays')
})
