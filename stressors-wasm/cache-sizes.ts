/**
 * The device's cache and memory sizes, read from sysfs and /proc/meminfo. Stressors are sized
 * from these so that an "L2 copy" stays in L2 and a "DRAM stream" really leaves the caches on
 * every device. Telemetry reuses the reader for its device fingerprint.
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Per-core data cache sizes and total memory, in bytes. */
export interface CacheSizes {
  l1dBytes: number
  l2Bytes: number
  /** Last-level cache (L3, or L2 where there is no L3). */
  llcBytes: number
  memoryBytes: number
}

/** Typical sizes of a small x86/ARM edge CPU, used where sysfs says nothing. */
export const FALLBACK_CACHE_SIZES: CacheSizes = {
  l1dBytes: 32 << 10, l2Bytes: 512 << 10, llcBytes: 8 << 20, memoryBytes: 4 * 2 ** 30,
}

/** Parses sysfs sizes such as "48K", "2048K", "30M". */
export function parseSysfsSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([KMG]?)\s*$/i.exec(text)
  if (!m) return undefined
  const unit = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G']
  return Number(m[1]) * unit
}

/**
 * Reads cpu0's cache hierarchy from `<root>/devices/system/cpu/cpu0/cache/index* /` and total
 * memory from /proc/meminfo; any size it cannot read keeps its FALLBACK_CACHE_SIZES value.
 * @param sysRoot root of sysfs (tests point it at a fixture tree).
 */
export function readCacheSizes(sysRoot = '/sys', meminfoPath = '/proc/meminfo'): CacheSizes {
  const sizes = { ...FALLBACK_CACHE_SIZES }
  const dir = join(sysRoot, 'devices/system/cpu/cpu0/cache')
  let entries: string[] = []
  try { entries = readdirSync(dir).filter((e) => /^index\d+$/.test(e)) } catch { /* no sysfs: fallbacks */ }
  let llcLevel = 0
  for (const e of entries) {
    const read = (f: string) => { try { return readFileSync(join(dir, e, f), 'utf8').trim() } catch { return '' } }
    const level = Number(read('level'))
    const type = read('type')
    const size = parseSysfsSize(read('size'))
    if (!size || type === 'Instruction') continue
    if (level === 1) sizes.l1dBytes = size
    if (level === 2) sizes.l2Bytes = size
    if (level >= 2 && level >= llcLevel) { llcLevel = level; sizes.llcBytes = size }
  }
  try {
    const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(readFileSync(meminfoPath, 'utf8'))
    if (m) sizes.memoryBytes = Number(m[1]) * 1024
  } catch { /* keep fallback */ }
  return sizes
}
