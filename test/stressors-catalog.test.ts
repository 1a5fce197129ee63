import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FALLBACK_CACHE_SIZES, parseSysfsSize, readCacheSizes, stressorCatalog } from '../stressors-wasm/index.js'
import { tempDir } from './helpers/temp-dir.js'

const MiB = 2 ** 20

function fakeSysfs(caches: [number, string, string][], memKb: number): { root: string, meminfo: string } {
  const root = tempDir(t, 'edgemime-sysfs-')
  caches.forEach(([level, type, size], i) => {
    const dir = join(root, 'devices/system/cpu/cpu0/cache', `index${i}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'level'), `${level}\n`)
    writeFileSync(join(dir, 'type'), `${type}\n`)
    writeFileSync(join(dir, 'size'), `${size}\n`)
  })
  const meminfo = join(root, 'meminfo')
  writeFileSync(meminfo, `MemTotal:       ${memKb} kB\nMemFree:  1 kB\n`)
  return { root, meminfo }
}

t.test('parseSysfsSize reads K/M/G suffixes and rejects junk', async (t) => {
  t.equal(parseSysfsSize('48K'), 48 * 1024)
  t.equal(parseSysfsSize('30M\n'), 30 * MiB)
  t.equal(parseSysfsSize('512'), 512)
  t.equal(parseSysfsSize('lots'), undefined)
})

t.test('readCacheSizes takes L1d, L2 and the highest level as LLC, skipping instruction caches', async (t) => {
  const { root, meminfo } = fakeSysfs([[1, 'Data', '32K'], [1, 'Instruction', '64K'], [2, 'Unified', '1024K'], [3, 'Unified', '16M']], 8 * 1024 * 1024)
  t.same(readCacheSizes(root, meminfo), { l1dBytes: 32 * 1024, l2Bytes: MiB, llcBytes: 16 * MiB, memoryBytes: 8 * 2 ** 30 })
  const noL3 = fakeSysfs([[1, 'Data', '16K'], [2, 'Unified', '512K']], 1024 * 1024)
  t.equal(readCacheSizes(noL3.root, noL3.meminfo).llcBytes, 512 * 1024, 'L2 is the LLC without an L3')
  const odd = fakeSysfs([[1, 'Data', '16K'], [2, 'Unified', '512K'], [4, 'Unknown', '64M']], 1024 * 1024)
  t.equal(readCacheSizes(odd.root, odd.meminfo).llcBytes, 512 * 1024, 'a cache of unknown type is no LLC (the fingerprint skips it too)')
  t.same(readCacheSizes('/nonexistent', '/nonexistent'), FALLBACK_CACHE_SIZES, 'fallbacks without sysfs')
})

t.test('catalog covers every family and sizes buffers from the caches', async (t) => {
  const sizes = { l1dBytes: 32 * 1024, l2Bytes: MiB, llcBytes: 8 * MiB, memoryBytes: 4 * 2 ** 30 }
  const cat = stressorCatalog(sizes)
  const names = cat.map((s) => s.name)
  t.equal(new Set(names).size, names.length, 'names are unique')
  for (const n of ['cpu-crc32c', 'cpu-fp-simd', 'cache-memcpy-l1', 'cache-memcpy-l2', 'cache-memcmp-llc', 'mem-stream', 'mem-memset', 'mem-chase',
    'mem-hashset-256k', 'mem-hashset-1m', 'disk-read-1m', 'disk-read-256k-p25', 'disk-write-1m-p500', 'disk-write-256k-p50',
    'disk-write-1m-p5', 'disk-write-1m-p10', 'disk-read-1m-p5', 'disk-read-256k-p10', 'idle']) {
    t.ok(names.includes(n), n)
  }
  const def = (name: string) => {
    const s = cat.find((c) => c.name === name)!
    return { s, p: Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, v.default])) }
  }
  t.equal(def('cache-memcpy-l1').s.workingSetBytes(def('cache-memcpy-l1').p), 16 * 1024, 'L1 copy fits in L1')
  t.equal(def('cache-memcpy-l2').s.workingSetBytes(def('cache-memcpy-l2').p), 512 * 1024, 'L2 copy fits in L2')
  t.ok(def('mem-stream').p.bufferBytes! >= 2 * sizes.llcBytes, 'DRAM stream is larger than the LLC')
  t.equal(def('mem-hashset-1m').p.entries, 1024 * 1024)
  t.equal(def('disk-write-256k-p50').p.pauseMs, 50)
  t.equal(def('disk-write-1m-p5').p.pauseMs, 5)
  t.equal(def('disk-read-1m').s.diskBytes(def('disk-read-1m').p), def('disk-read-1m').p.fileBytes)
  t.match(def('disk-read-1m').s.check!({ blockBytes: 8 * MiB, fileBytes: 4 * MiB, pauseMs: 0 }), /exceeds fileBytes/)
  for (const s of cat) {
    for (const [k, p] of Object.entries(s.params)) t.ok(p.min <= p.default && p.default <= p.max, `${s.name}.${k} default within range`)
  }
})
