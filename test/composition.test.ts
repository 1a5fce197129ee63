import t from 'tap'
import { CapExceededError, InvalidInputError } from '../common/errors.js'
import type { Caps } from '../common/config.js'
import { checkCaps, compositionFootprint, parseComposition } from '../stressors-wasm/index.js'
import { loadComposition } from '../stressors-wasm/load.js'
import { planWindow } from '../stressors-wasm/schedule.js'

const MiB = 2 ** 20
const caps: Caps = { maxThreads: 4, maxMemoryBytes: 512 * MiB, diskDir: '/tmp/x', diskQuotaBytes: 64 * MiB, maxDurationS: 60 }
const base = () => ({
  version: 1, windowMs: 100, threads: 2,
  stressors: [{ name: 'cpu-crc32c', params: { bufferBytes: 8 * MiB } }, { name: 'mem-chase', params: { bufferBytes: 16 * MiB } }, { name: 'disk-read-1m', params: { fileBytes: 8 * MiB } }],
  windows: [[[0.5, 0], [0.25, 0], [0, 0.5]], [[0.2, 0], [0.2, 0], [0, 0.1]]],
  metadata: { source: 'test' },
})

function thrown(fn: () => unknown): Error {
  try { fn() } catch (e) { return e as Error }
  throw new Error('expected a throw')
}

function refuses(t: { ok(v: unknown, m: string): void, match(a: unknown, b: RegExp, m: string): void }, mutate: (c: any) => void, pattern: RegExp, name: string) {
  const c = base()
  mutate(c)
  const e = thrown(() => parseComposition(c))
  t.ok(e instanceof InvalidInputError, `${name}: InvalidInputError`)
  t.match(e.message, pattern, name)
}

t.test('a valid composition parses and keeps its metadata', async (t) => {
  const c = parseComposition(base())
  t.equal(c.windows.length, 2)
  t.equal(c.metadata.source, 'test')
  t.same(parseComposition({ ...base(), stressors: base().stressors.map((s) => ({ name: s.name })) }).stressors[0]!.params, {}, 'params default to {}')
  const mixed = base()
  mixed.windows[0]![2]![0] = 0.2
  t.equal(parseComposition(mixed).windows[0]![2]![0], 0.2, 'a thread may mix disk and CPU stressors in a window')
})

t.test('bad input is refused with a message naming the problem', async (t) => {
  refuses(t, (c) => { c.version = 2 }, /version/, 'version')
  refuses(t, (c) => { c.windows[1][0][1] = 1.5 }, /windows\[1\]\[0\]\[1\] \(window 1, stressor 0, thread 1\)/, 'fraction > 1 names the cell')
  refuses(t, (c) => { c.windows[0][2][0] = -0.1 }, /window 0, stressor 2, thread 0/, 'negative fraction')
  refuses(t, (c) => { c.windows[1].pop() }, /windows\[1\] has 2 rows, expected one per stressor \(M = 3\)/, 'missing stressor row')
  refuses(t, (c) => { c.windows[0][1] = [0.1] }, /windows\[0\]\[1\] \(mem-chase\) has 1 fractions, expected one per thread \(K = 2\)/, 'short thread row')
  refuses(t, (c) => { c.stressors[1].name = 'mem-warp' }, /stressors\[1\]: unknown stressor 'mem-warp'/, 'unknown stressor')
  refuses(t, (c) => { c.stressors[0].params = { bogus: 1 } }, /unknown parameter 'bogus'/, 'unknown parameter')
  refuses(t, (c) => { c.stressors[0].params = { bufferBytes: 1 } }, /bufferBytes = 1 is out of range/, 'parameter out of range')
  refuses(t, (c) => { c.stressors[2].params = { blockBytes: 5000 } }, /multiples of 4096/, 'unaligned disk block')
  refuses(t, (c) => { c.windowMs = 0 }, /windowMs/, 'zero window')
  refuses(t, (c) => { c.extra = 1 }, /extra|Unrecognized/i, 'unknown top-level key')
  t.throws(() => parseComposition('nope'), InvalidInputError)
})

t.test('footprint and caps: per-thread layout, disk quota, duration', async (t) => {
  const c = parseComposition(base())
  const f = compositionFootprint(c)
  // thread 0: 8 MiB shared scratch (crc) + 16 MiB chase; thread 1: disk only.
  t.equal(f.memoryBytes, 24 * MiB)
  t.equal(f.diskBytes, 8 * MiB)
  t.equal(f.durationS, 0.2)
  t.same(checkCaps(c, caps), f)
  const e = thrown(() => checkCaps(c, { ...caps, maxThreads: 1 }))
  t.ok(e instanceof CapExceededError)
  t.match(e.message, /2 threads; the cap is 1/)
  t.throws(() => checkCaps(c, { ...caps, maxMemoryBytes: 16 * MiB }), /24.0 MiB of stressor memory/)
  t.throws(() => checkCaps(c, { ...caps, diskQuotaBytes: MiB }), /quota/)
  t.throws(() => checkCaps(c, { ...caps, maxDurationS: 1 }, { repeat: 10 }), /runs 2 s; the cap is 1 s/)
})

t.test('the bundled demo loads; missing files and bad JSON are clear errors', async (t) => {
  const demo = loadComposition('demo')
  t.equal(demo.version, 1)
  t.ok(demo.windows.length >= 10)
  t.throws(() => loadComposition('/nonexistent/comp.json'), /cannot read composition/)
  t.throws(() => loadComposition('no-such-bundled-name'), /cannot read composition/)
})

t.test('planWindow: fractions of W, idle spread between slices, sums above 1 normalised', async (t) => {
  const s = planWindow([0.2, 0, 0.3, 0.1], 1000, () => 0.999)
  t.same(s.map((x) => x.stressor).sort(), [0, 2, 3])
  const dur = Object.fromEntries(s.map((x) => [x.stressor, x.endMs - x.startMs]))
  t.same(dur, { 0: 200, 2: 300, 3: 100 })
  const gaps = s.slice(1).map((x, i) => x.startMs - s[i]!.endMs)
  for (const g of gaps) t.ok(Math.abs(g - 400 / 3) < 1e-9, 'equal idle gaps between slices')
  t.equal(s[0]!.startMs, 0)
  const over = planWindow([0.8, 0.8], 100)
  t.ok(Math.abs(over.reduce((a, x) => a + x.endMs - x.startMs, 0) - 100) < 1e-9, 'sum > 1 fills exactly W')
  t.same(planWindow([0, 0], 100), [])
  const orders = new Set(Array.from({ length: 50 }, () => planWindow([0.1, 0.1, 0.1, 0.1], 100).map((x) => x.stressor).join()))
  t.ok(orders.size > 5, 'order is shuffled')
})
