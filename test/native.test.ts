import t from 'tap'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import { startWorker } from '../common/worker-url.js'
import {
  currentThreadAffinity, currentThreadId, setCurrentThreadPriority, nativeFeatures, openPerfCounters, perfCountersReason,
  pinCurrentThread,
} from '../native/index.js'

const features = nativeFeatures()
const dir = mkdtempSync(join(tmpdir(), 'edgemime-native-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

/** Fields after the command name in /proc/self/task/<tid>/stat: [0] is field 3 (state). */
function statFields(tid: number): string[] {
  const s = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  return s.slice(s.lastIndexOf(')') + 2).split(' ')
}
const nice = (tid: number) => Number(statFields(tid)[16])
const policy = (tid: number) => Number(statFields(tid)[38])
const cpusAllowed = (tid: number) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/self/task/${tid}/status`, 'utf8'))![1]

t.test('features report consistently with the addon state', async (t) => {
  t.type(features.addonReason, 'string')
  const expect = features.addon
    ? { affinity: { mode: 'native' }, priority: { mode: 'native' }, directIo: { mode: 'native' } }
    : { affinity: { mode: 'unsupported' }, priority: { mode: 'fallback' }, directIo: { mode: 'fallback' } }
  t.match(features, expect)
  t.equal(features.perfCounters.mode === 'native', perfCountersReason() === null)
  t.ok(['native', 'unsupported'].includes(features.perfCounters.mode))
  t.match(nativeFeatures({ diskDir: dir }).directIo.reason, features.addon ? /O_DIRECT|fadvise/ : /page cache/)
  t.equal(nativeFeatures({ diskDir: join(dir, 'missing') }).directIo.mode, features.addon ? 'unsupported' : 'fallback')
  t.same(readdirSync(dir), [], 'the O_DIRECT probe leaves no file behind')
})

t.test('the addon builds and loads here (npm install ran native/build.mjs)', { skip: (process.env.EDGEMIME_NO_ADDON === '1' || process.env.EDGEMIME_SKIP_ADDON === '1') && 'addon disabled by env' }, async (t) => {
  t.ok(features.addon, features.addonReason)
})

t.test('currentThreadId is the kernel tid', async (t) => {
  t.equal(currentThreadId(), process.pid, 'the main thread id equals the pid')
})

t.test('a worker thread pins itself and drops to SCHED_IDLE, nice 19', { skip: !features.addon && 'addon not loaded' }, async (t) => {
  const cpu = currentThreadAffinity()!.at(-1)!
  const w = startWorker(new URL('./helpers/x.ts', import.meta.url).href, 'native-worker', { workerData: { cpu, nice: 19, policy: 'idle' } })
  t.teardown(() => w.terminate())
  const r = await new Promise<{ tid: number, pinned: boolean, lowered: boolean, addon: boolean }>((res, rej) => { w.once('message', res); w.once('error', rej) })
  t.ok(r.addon, 'the addon loads inside a worker thread')
  t.not(r.tid, process.pid)
  t.same([r.pinned, r.lowered], [true, true])
  t.equal(cpusAllowed(r.tid), String(cpu))
  t.equal(nice(r.tid), 19)
  t.equal(policy(r.tid), 5, 'SCHED_IDLE')
  t.not(cpusAllowed(process.pid), String(cpu), 'the main thread keeps its CPUs')
  t.equal(nice(process.pid), 0)
})

t.test('nice-only lowering leaves the policy alone', { skip: !features.addon && 'addon not loaded' }, async (t) => {
  const w = startWorker(new URL('./helpers/x.ts', import.meta.url).href, 'native-worker', { workerData: { cpu: 0, nice: 10, policy: 'nice' } })
  t.teardown(() => w.terminate())
  const r = await new Promise<{ tid: number }>((res, rej) => { w.once('message', res); w.once('error', rej) })
  t.equal(nice(r.tid), 10)
  t.equal(policy(r.tid), 0, 'SCHED_OTHER')
})


t.test('bad thread and counter arguments throw InvalidInputError', async (t) => {
  for (const cpu of [-1, 1.5, Number.NaN, 4096]) t.throws(() => pinCurrentThread(cpu), InvalidInputError)
  if (features.addon) t.throws(() => pinCurrentThread(1023), InvalidInputError, 'an offline CPU')
  for (const n of [20, -21, 0.5]) t.throws(() => setCurrentThreadPriority(n), InvalidInputError)
  t.throws(() => setCurrentThreadPriority(19, 'fifo' as 'idle'), InvalidInputError)
  t.throws(() => openPerfCounters({ pid: -1 }), InvalidInputError)
  t.throws(() => openPerfCounters({ cpu: 0.5 }), InvalidInputError)
})

t.test('perf counters open exactly when the kernel allows them', async (t) => {
  const c = openPerfCounters()
  t.equal(c === null, features.perfCounters.mode === 'unsupported', features.perfCounters.reason)
  if (c === null) {
    t.match(features.perfCounters.reason, features.addon ? /E[A-Z]+ \(/ : /addon/, 'the reason names the errno')
    return
  }
  let x = 0
  for (let i = 0; i < 1e6; i++) x += i
  const s = c.read()
  t.ok(x > 0 && Object.values(s).some((v) => v !== null && v > 0), 'counters move')
  c.close()
})

t.test('EDGEMIME_NO_ADDON=1 falls back to pure JS that still works', async (t) => {
  const script = `
    import * as n from ${JSON.stringify(new URL('../native/index.ts', import.meta.url).href)}
    const f = n.DiskFile.open(${JSON.stringify(join(dir, 'fallback.bin'))}, { size: 1 << 20 })
    const b = n.allocAligned(4096).fill(9); f.write(b, 8192); f.sync(8192, 4096)
    const r = n.allocAligned(4096); f.read(r, 8192); f.close()
    console.log(JSON.stringify({ features: n.nativeFeatures(), bypass: f.bypass, ok: r.every((v) => v === 9),
      pinned: n.pinCurrentThread(0), lowered: n.setCurrentThreadPriority(7), tid: n.currentThreadId(), pid: process.pid,
      perf: n.openPerfCounters(), nice: ${'(await import("node:fs")).readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ")[16]'} }))`
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, EDGEMIME_NO_ADDON: '1' },
  })
  const r = JSON.parse(stdout)
  t.match(r.features, {
    addon: false, addonReason: /EDGEMIME_NO_ADDON/, affinity: { mode: 'unsupported' }, priority: { mode: 'fallback' },
    directIo: { mode: 'fallback' }, perfCounters: { mode: 'unsupported' },
  })
  t.same([r.bypass, r.ok, r.pinned, r.lowered, r.tid, r.perf, r.nice], ['none', true, false, true, r.pid, null, '7'])
})


t.test('raising priority without privileges returns false, addon and fallback alike', { skip: (process.getuid?.() !== 0 || spawnSync('su', ['--help']).status !== 0) && 'needs root to run a child as nobody' }, async (t) => {
  const script = `const n = await import(${JSON.stringify(new URL('../native/index.ts', import.meta.url).href)})
    console.log(JSON.stringify({ raise: n.setCurrentThreadPriority(-5), lower: n.setCurrentThreadPriority(5, "nice") }))`
  for (const env of ['', 'EDGEMIME_NO_ADDON=1 ']) {
    // env -i: the test runner's NODE_OPTIONS hooks would write where nobody may not.
    const cmd = `cd ${JSON.stringify(process.cwd())} && env -i ${env}${JSON.stringify(process.execPath)} --import=tsx --input-type=module -e '${script}'`
    const r = spawnSync('su', ['nobody', '-s', '/bin/sh', '-c', cmd], { encoding: 'utf8' })
    t.same(JSON.parse(r.stdout || '{}'), { raise: false, lower: true }, `${env || 'addon'}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`)
  }
})
