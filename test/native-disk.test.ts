import t from 'tap'
import { execFile, spawnSync } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import { startWorker } from '../common/worker-url.js'
import { allocAligned, DiskFile, IO_ALIGN, nativeFeatures } from '../native/index.js'

const features = nativeFeatures()
const dir = mkdtempSync(join(tmpdir(), 'edgemime-native-disk-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const openFds = () => readdirSync('/proc/self/fd').length

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

t.test('bad disk arguments throw InvalidInputError and leak no fds', async (t) => {
  const before = openFds()
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
  t.equal(openFds(), before, 'every fd opened was closed')
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

t.test('reads leave no pages in the page cache (fincore)', { skip: (!features.addon && 'addon not loaded') || (spawnSync('fincore', ['--version']).status !== 0 && 'no fincore') }, async (t) => {
  const resident = (p: string) => Number(spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', p], { encoding: 'utf8' }).stdout.trim())
  const size = 4 << 20
  for (const direct of [true, false]) {
    const path = join(dir, `cache-${direct}.bin`)
    const f = DiskFile.open(path, { size, direct })
    f.dropCache()
    const buf = allocAligned(256 << 10)
    for (let pos = 0; pos < size; pos += buf.byteLength) f.read(buf, pos)
    t.equal(resident(path), 0, `${f.bypass} reads bypass the page cache`)
    f.close()
    // Control: the same reads through fs land in the cache, so fincore does see them.
    const fd = openSync(path, 'r')
    for (let pos = 0; pos < size; pos += buf.byteLength) readSync(fd, buf, 0, buf.byteLength, pos)
    closeSync(fd)
    t.ok(resident(path) >= size / 2, 'buffered reads are cached (control)')
  }
})

t.test('a terminated worker leaves no fds of its unclosed files behind', async (t) => {
  const before = openFds()
  const w = startWorker(new URL('./helpers/x.ts', import.meta.url).href, 'native-file-holder', { workerData: { path: join(dir, 'held'), count: 20 } })
  await new Promise((r, j) => { w.once('message', r); w.once('error', j) })
  t.ok(openFds() >= before + 20, 'the worker holds its files open')
  await w.terminate()
  for (let i = 0; i < 50 && openFds() > before; i++) await new Promise((r) => setTimeout(r, 10))
  t.equal(openFds(), before)
})
