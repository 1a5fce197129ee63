// The perf_event path of the addon, exercised with software events (task clock, context
// switches, page faults), which every kernel has, since this VM refuses hardware events.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { binding } from '../native/binding.js'
import { startWorker } from '../common/worker-url.js'

const PERF_TYPE_SOFTWARE = 1
const SW = { taskClock: 1, pageFaults: 2, contextSwitches: 3 }
const openFds = () => readdirSync('/proc/self/fd').length

t.test('counts every thread of the process, including threads started later', { skip: !binding && 'addon not loaded' }, async (t) => {
  const before = openFds()
  const perf = binding!.perfOpen(0, -1, PERF_TYPE_SOFTWARE, [SW.taskClock, SW.contextSwitches, 99999])
  t.same(perf.errors.slice(0, 2), [null, null])
  t.match(perf.errors[2], /^E[A-Z]+ \(/, 'an unknown event is refused with its errno')
  const cpu0 = process.cpuUsage()
  const ws = [0, 1].map(() => startWorker(new URL('./helpers/x.ts', import.meta.url).href, 'native-spin', { workerData: { ms: 300 } }))
  await Promise.all(ws.map((w) => new Promise((r, j) => { w.once('message', r); w.once('error', j) })))
  await Promise.all(ws.map((w) => w.terminate()))
  const used = process.cpuUsage(cpu0)
  const { values, enabledNs, runningNs } = perf.read()
  const cpuNs = (used.user + used.system) * 1e3
  t.ok(values[0]! > 0.6 * 0.6e9, `task clock ${(values[0]! / 1e6).toFixed(0)} ms covers the two workers' 600 ms`)
  t.ok(values[0]! < 1.5 * cpuNs, `task clock within the process CPU time ${(cpuNs / 1e6).toFixed(0)} ms`)
  t.ok(values[1]! >= 0)
  t.equal(values[2], null)
  t.ok(enabledNs[0] > 0 && runningNs[0] > 0)
  perf.reset()
  t.ok(perf.read().values[0]! < values[0]!, 'reset starts the counts again')
  perf.close()
  perf.close()
  t.throws(() => perf.read(), { code: 'EBADF' })
  t.equal(openFds(), before, 'close() released every perf fd')
})

t.test('bad perfOpen arguments throw and open nothing', { skip: !binding && 'addon not loaded' }, async (t) => {
  const before = openFds()
  t.throws(() => binding!.perfOpen(-1, -1, PERF_TYPE_SOFTWARE, [1]), RangeError)
  t.throws(() => binding!.perfOpen(0, -1, PERF_TYPE_SOFTWARE, []), RangeError)
  t.throws(() => binding!.perfOpen(0, -1, PERF_TYPE_SOFTWARE, [1, 'x' as never]), TypeError)
  t.throws(() => binding!.perfOpen(0, -1, 99, [1]), RangeError)
  t.throws(() => binding!.perfOpen(0.5, -1, PERF_TYPE_SOFTWARE, [1]), RangeError)
  t.throws(() => (binding!.perfOpen as (...a: unknown[]) => unknown)(0, -1, PERF_TYPE_SOFTWARE), TypeError)
  t.equal(openFds(), before)
})
