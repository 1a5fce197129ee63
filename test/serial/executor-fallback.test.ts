// The executor without the native addon (EDGEMIME_NO_ADDON=1, inherited by the workers): no
// pinning, disk I/O through the pure-JS fallback, the same kernels and reports.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { Executor, parseComposition } from '../../stressors-wasm/index.js'
import { tempDir } from '../helpers/temp-dir.js'

process.env.EDGEMIME_NO_ADDON = '1'
const MiB = 2 ** 20
const diskDir = tempDir(t, 'edgemime-fallback-')

t.test('replay works on the pure-JS fallbacks and says so', async (t) => {
  const ex = await Executor.create({ threads: 2, caps: { maxThreads: 2, maxMemoryBytes: 64 * MiB, diskDir, diskQuotaBytes: 16 * MiB, maxDurationS: 10 } })
  t.teardown(() => ex.close())
  const comp = parseComposition({
    version: 1, windowMs: 50, threads: 2, metadata: {},
    stressors: [{ name: 'cpu-fp-simd' }, { name: 'disk-write-256k', params: { fileBytes: 4 * MiB } }],
    windows: Array.from({ length: 4 }, () => [[0.5, 0], [0, 0.5]]),
  })
  const r = await ex.replay(comp)
  t.match(r.runtime.native, /^js-fallback/, r.runtime.native)
  t.equal(r.runtime.pinned, false, 'no pinning without the addon')
  t.ok(r.totals.stressors[0]!.ops > 0, 'wasm kernel ran')
  t.ok(r.totals.stressors[1]!.ops > 0, 'fallback disk writes ran')
  t.same(readdirSync(diskDir), [])
})
