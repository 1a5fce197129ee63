// Timing accuracy under whatever load the machine has: loose bounds that catch a broken
// scheduler (accumulating drift, slices running to the end of the window), not the targets,
// which the `edgemime replay` report and bench/stressors.ts measure.
import t from 'tap'
import { tmpdir } from 'node:os'
import { Executor, parseComposition } from '../../stressors-wasm/index.js'

const MiB = 2 ** 20

t.test('windows stay anchored and slices end near their deadlines', async (t) => {
  const ex = await Executor.create({ threads: 2, caps: { maxThreads: 2, maxMemoryBytes: 64 * MiB, diskDir: tmpdir(), diskQuotaBytes: 0, maxDurationS: 60 } })
  t.teardown(() => ex.close())
  const T = 30
  const comp = parseComposition({
    version: 1, windowMs: 100, threads: 2, metadata: {},
    stressors: [{ name: 'cpu-crc32c', params: { bufferBytes: 4 * MiB } }, { name: 'cache-memcpy-l2' }, { name: 'mem-chase', params: { bufferBytes: 4 * MiB } }],
    windows: Array.from({ length: T }, (_, i) => [[0.2 + 0.02 * (i % 5), 0.1], [0.3, 0.2], [0.1, 0.3]]),
  })
  const t0 = performance.now()
  const r = await ex.replay(comp)
  const wall = performance.now() - t0
  t.comment(`mean |exec−plan|/W ${r.timing.mean_abs_error_fraction.toFixed(4)}, max start drift ${r.timing.max_start_drift_ms.toFixed(2)} ms, wall ${wall.toFixed(0)} ms`)
  t.ok(r.timing.mean_abs_error_fraction < 0.25, 'mean entry error below 25% of W')
  const last = r.windows.at(-1)!
  t.ok(Math.abs(last.driftMs) < 100, `last window starts on its anchor (drift ${last.driftMs.toFixed(2)} ms)`)
  t.ok(wall < T * 100 + 3000, 'total time is T × W plus start-up, no accumulated lateness')
})
