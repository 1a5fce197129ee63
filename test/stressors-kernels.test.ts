import t from 'tap'
import { makeDriver } from '../stressors-wasm/drivers.js'
import { instantiateKernels } from '../stressors-wasm/wasm-kernels.js'
import type { WorkerStressor } from '../stressors-wasm/protocol.js'

/** Bitwise CRC32C register update (Castagnoli, reflected), independent of the kernel's tables. */
function crcRaw(init: number, bytes: Uint8Array): number {
  let c = init
  for (const b of bytes) {
    c ^= b
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
  }
  return c >>> 0
}
const crc32cRef = (bytes: Uint8Array) => (crcRaw(0xffffffff, bytes) ^ 0xffffffff) >>> 0

const k = instantiateKernels(4 << 20)
const x = k.exports
const mem = () => new Uint8Array(x.memory.buffer)
const sink = () => Number(x.sink.value as bigint)

t.test('crc32c kernel: two CRC32C lanes per 4 KiB unit, chained across units, matches a bitwise reference', async (t) => {
  t.equal(crc32cRef(new TextEncoder().encode('123456789')), 0xe3069283, 'reference check value')
  const buf = k.heap
  const data = mem().subarray(buf, buf + 8192)
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff
  let state = 0xffffffff
  for (let u = 0; u < 2; u++) {
    const unit = data.subarray(u * 4096, u * 4096 + 4096)
    state = (crcRaw(state, unit.subarray(0, 2048)) ^ crcRaw(0xffffffff, unit.subarray(2048))) >>> 0
  }
  x.sink.value = 0n
  t.equal(x.crcRun(buf, 8192, 0, 2), 0, 'cursor wraps at the buffer end')
  t.equal(sink() >>> 0, (~state) >>> 0)
})

t.test('fp distance equals the scalar sum of squared differences', async (t) => {
  const buf = k.heap
  const n = 128
  x.fpInit(buf, n, 12345)
  const f = new Float32Array(x.memory.buffer, buf, n * 64)
  t.ok(f.every((v) => v >= 0 && v < 1), 'points in [0, 1)')
  t.equal(x.fpRun(buf, n, 0, 2), 0, '2 units of 64 points wrap 128 points')
  let ref = 0
  for (let p = 0; p < n; p++) for (let d = 0; d < 64; d++) ref += (f[p * 64 + d]! - f[d]!) ** 2
  const got = new Float32Array(new Uint32Array([sink()]).buffer)[0]!
  t.ok(Math.abs(got - ref) / ref < 1e-4, `${got} vs ${ref}`)
})

t.test('copy makes the second half equal the first; compare sees equal and unequal halves', async (t) => {
  const buf = k.heap
  const half = 256 * 1024
  const m = mem()
  for (let i = 0; i < half; i++) m[buf + i] = (i * 7) & 0xff
  m.fill(0, buf + half, buf + 2 * half)
  const d = makeDriver(k, { index: 0, name: 'cache-memcpy-l2', kernel: 'memcpy', params: { bufferBytes: 2 * half }, offset: 0, bytes: 2 * half })
  d.run(half / d.opsPerUnit)
  t.same(m.subarray(buf + half, buf + 2 * half), m.subarray(buf, buf + half))
  x.cmpRun(buf, half, 65536, 0, 4)
  t.equal(sink(), 0, 'equal halves')
  m[buf + half + 1000] ^= 1
  x.cmpRun(buf, half, 65536, 0, 4)
  t.equal(sink(), 1, 'a one-bit difference is seen')
  x.fillRun(buf, 2 * half, 65536, 0, 8)
  t.ok(m.subarray(buf, buf + 2 * half).every((v, i) => v === Math.floor(i / 65536) + 1), 'fill writes each piece')
})

t.test('pointer chase follows one cycle through every node', async (t) => {
  const buf = k.heap
  const n = 4096
  x.chaseInit(buf, n, 99)
  const seen = new Set<number>()
  let cur = 0
  for (let i = 0; i < n; i++) {
    seen.add(cur)
    cur = x.chaseRun(buf, cur, 1)
  }
  t.equal(seen.size, n, 'no node repeats before n hops')
  t.equal(cur, 0, 'back at the start after n hops')
})

t.test('hash set inserts distinct keys and clears itself when full', async (t) => {
  const s: WorkerStressor = { index: 0, name: 'mem-hashset-256k', kernel: 'hashset', params: { entries: 1024 }, offset: 0, bytes: 8 * 1024 + 64 }
  mem().fill(0, k.heap, k.heap + 64 + 8 * 1024)
  const d = makeDriver(k, s)
  const table = () => new Uint32Array(x.memory.buffer, k.heap + 64, 2048)
  d.run(10)
  const keys = table().filter((v) => v !== 0)
  t.equal(keys.length, 640, '640 inserts, 640 occupied slots')
  t.equal(new Set(keys).size, 640, 'every insert was a miss (distinct keys)')
  t.equal(new Uint32Array(x.memory.buffer, k.heap, 1)[0], 640, 'size in the header')
  d.run(6)
  t.equal(table().filter((v) => v !== 0).length, 0, 'cleared at 1024 entries')
})
