import t from 'tap'
import { ContentionProbe, probeSizes } from '../telemetry/index.js'

const MiB = 2 ** 20

t.test('probe buffers sit in the LLC and beyond it', async (t) => {
  t.same(probeSizes(1.25 * MiB, 8 * MiB), { llcBytes: 4 * MiB, dramBytes: 32 * MiB }, 'L3 device: half the L3, 4 × L3')
  t.same(probeSizes(256 * 1024, 2 * MiB), { llcBytes: 1 * MiB, dramBytes: 16 * MiB }, 'small L3: half of it, DRAM buffer at its 16 MiB floor')
  t.same(probeSizes(1 * MiB, 1 * MiB), { llcBytes: 512 * 1024, dramBytes: 16 * MiB }, 'no L3 (L2 is the LLC): half the L2, never 2 × L2')
  t.same(probeSizes(2 * MiB, 300 * MiB), { llcBytes: 32 * MiB, dramBytes: 64 * MiB }, 'huge server LLC: capped')
})

t.test('calibrated runs report slowdowns against the idle baseline', async (t) => {
  const p = new ContentionProbe({ llcBytes: 256 * 1024, dramBytes: 4 * MiB, hops: 256 })
  t.equal(p.bytes, 256 * 1024 + 4 * MiB)
  t.equal(p.baselineNs, null)
  const m = p.measure() // calibrates on first use
  t.ok(p.baselineNs && p.baselineNs.llc > 0 && p.baselineNs.dram > 0)
  t.ok(m.llc > 0 && m.dram > 0 && Number.isFinite(m.llc) && Number.isFinite(m.dram))
  const again = p.calibrate(5)
  t.ok(again.llc > 0 && again.dram > 0, 'recalibration replaces the baseline')
  t.equal(p.baselineNs, again)
  const twin = new ContentionProbe({ llcBytes: 256 * 1024, dramBytes: 4 * MiB, hops: 128 })
  t.equal(twin.baselineNs, null, 'a second probe over the same (shared) buffers keeps its own baseline')
  t.ok(twin.measure().dram > 0)
  t.throws(() => new ContentionProbe({ llcBytes: 100, dramBytes: MiB }), { code: 'EM_INVALID_INPUT', message: /at least 4 KiB/ })
  t.throws(() => new ContentionProbe({ llcBytes: MiB, dramBytes: MiB, hops: 0 }), { message: /hops must be a positive integer/ })
})
