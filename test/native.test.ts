import t from 'tap'
import { execFile } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import { startWorker } from '../common/worker-url.js'
import {
  allocAligned, currentThreadAffinity, currentThreadId, DiskFile, IO_ALIGN, nativeFeatures, openPerfCounters,
  lowerCurrentThreadPriority, perfCountersReason, pinCurrentThread,
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
const openFds = () => readdirSync('/proc/self/fd').length

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

t.test('direct I/O round-trips data through a real file', async (t) => {
  for (const direct of [true, false]) {
    const path = join(dir, `rt-${direct}.bin`)
    let progress = 0
    const f = DiskFile.open(path, { size: 4 << 20, direct, onFill: (done, total) => { progress = done / total } })
    t.equal(progress, 1, 'fill reports progress to the end')
    t.equal(statSync(path).size, 4 << 20)
    t.equal(f.bypass, !features.addon ? 'none' : direct ? 'o_direct' : 'fadvise')
    const out = allocAligned(64 << 10)
    randomFillSync(out)
    t.equal(f.write(out, 1 << 20), 64 << 10)
    f.sync(1 << 20, 64 << 10)
    f.sync()
    f.dropCache()
    const back = allocAligned(64 << 10)
    t.equal(f.read(back, 1 << 20), 64 << 10)
    t.ok(Buffer.from(back).equals(Buffer.from(out)), `data round-trips (direct=${direct})`)
    const filled = allocAligned(IO_ALIGN)
    f.read(filled, 0)
    t.ok(filled.every((b) => b === 0x5a), 'the fill wrote real data, not holes')
    f.close()
    f.close()
    t.throws(() => f.read(back, 0), { code: 'EBADF' }, 'a closed file throws')
  }
})

t.test('reopening truncates a longer file to the requested size', async (t) => {
  const path = join(dir, 'shrink.bin')
  DiskFile.open(path, { size: 2 << 20 }).close()
  DiskFile.open(path, { size: 1 << 20 }).close()
  t.equal(statSync(path).size, 1 << 20)
})

t.test('bad arguments throw InvalidInputError and leak no fds', async (t) => {
  const before = openFds()
  for (const cpu of [-1, 1.5, Number.NaN, 4096]) t.throws(() => pinCurrentThread(cpu), InvalidInputError)
  if (features.addon) t.throws(() => pinCurrentThread(1023), InvalidInputError, 'an offline CPU')
  for (const n of [20, -21, 0.5]) t.throws(() => lowerCurrentThreadPriority(n), InvalidInputError)
  t.throws(() => lowerCurrentThreadPriority(19, 'fifo' as 'idle'), InvalidInputError)
  t.throws(() => allocAligned(1000), InvalidInputError)
  t.throws(() => DiskFile.open(join(dir, 'x.bin'), { size: 1000 }), InvalidInputError)
  t.throws(() => DiskFile.open('', { size: IO_ALIGN }), InvalidInputError)
  t.throws(() => DiskFile.open(join(dir, 'x.bin'), undefined as never), InvalidInputError)
  t.throws(() => DiskFile.open(join(dir, 'no', 'such', 'dir.bin'), { size: IO_ALIGN }), { code: 'ENOENT' })
  const f = DiskFile.open(join(dir, 'bad.bin'), { size: 64 << 10 })
  const buf = allocAligned(2 * IO_ALIGN)
  t.throws(() => f.read(buf.subarray(0, 100), 0), InvalidInputError, 'length not a block multiple')
  t.throws(() => f.read(buf.subarray(0, IO_ALIGN), 100), InvalidInputError, 'position not aligned')
  t.throws(() => f.read(buf, 63 << 10), InvalidInputError, 'past the end')
  t.throws(() => f.read([1, 2] as never, 0), InvalidInputError)
  t.throws(() => f.sync(0), InvalidInputError, 'a range without a length')
  if (f.bypass === 'o_direct') {
    const wide = allocAligned(3 * IO_ALIGN)
    t.throws(() => f.read(wide.subarray(1, 1 + IO_ALIGN), 0), InvalidInputError, 'an unaligned buffer')
  }
  f.close()
  t.throws(() => openPerfCounters({ pid: -1 }), InvalidInputError)
  t.throws(() => openPerfCounters({ cpu: 0.5 }), InvalidInputError)
  t.equal(openFds(), before, 'every fd opened was closed')
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
      pinned: n.pinCurrentThread(0), lowered: n.lowerCurrentThreadPriority(7), tid: n.currentThreadId(), pid: process.pid,
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

t.test('files dropped without close() have their fds closed by GC', async (t) => {
  const script = `
    import { readdirSync } from 'node:fs'
    import * as n from ${JSON.stringify(new URL('../native/index.ts', import.meta.url).href)}
    const fds = () => readdirSync('/proc/self/fd').length
    const before = fds()
    for (let i = 0; i < 50; i++) n.DiskFile.open(${JSON.stringify(join(dir, 'gc.bin'))} + i, { size: 4096 })
    const open = fds()
    for (let i = 0; i < 20 && fds() > before; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)) }
    console.log(JSON.stringify({ before, open, after: fds() }))`
  for (const env of [{}, { EDGEMIME_NO_ADDON: '1' }]) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import=tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, ...env },
    })
    const r = JSON.parse(stdout)
    t.ok(r.open >= r.before + 50, `${JSON.stringify(env)}: 50 files held open`)
    t.equal(r.after, r.before, `${JSON.stringify(env)}: all closed after GC`)
  }
})
