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

/** One of cpu0's caches as sysfs describes it. */
export interface SysfsCache {
  level: number
  type: 'Data' | 'Instruction' | 'Unified'
  sizeBytes: number
  /** Coherency line size; null where sysfs does not say. */
  lineBytes: number | null
  /** Ways of associativity; null where sysfs does not say (0 means fully associative). */
  ways: number | null
}

/**
 * cpu0's caches from `<root>/devices/system/cpu/cpu0/cache/index* /`, those with a size and a
 * known type; none without sysfs. The one sysfs reader: the stressors size themselves from it
 * (readCacheSizes) and telemetry's fingerprint describes the device with it.
 * @param sysRoot root of sysfs (tests point it at a fixture tree).
 */
export function readSysfsCaches(sysRoot = '/sys'): SysfsCache[] {
  const dir = join(sysRoot, 'devices/system/cpu/cpu0/cache')
  let entries: string[] = []
  try { entries = readdirSync(dir).filter((e) => /^index\d+$/.test(e)) } catch { return [] }
  const caches: SysfsCache[] = []
  for (const e of entries) {
    const read = (f: string) => { try { return readFileSync(join(dir, e, f), 'utf8').trim() } catch { return '' } }
    const type = read('type')
    const sizeBytes = parseSysfsSize(read('size'))
    if (!sizeBytes || (type !== 'Data' && type !== 'Instruction' && type !== 'Unified')) continue
    const num = (f: string) => { const v = read(f); return v === '' || !Number.isFinite(Number(v)) ? null : Number(v) }
    caches.push({ level: Number(read('level')), type, sizeBytes, lineBytes: num('coherency_line_size'), ways: num('ways_of_associativity') })
  }
  return caches
}

/**
 * cpu0's data cache sizes (readSysfsCaches) and total memory from /proc/meminfo; any size it
 * cannot read keeps its FALLBACK_CACHE_SIZES value.
 * @param sysRoot root of sysfs (tests point it at a fixture tree).
 */
export function readCacheSizes(sysRoot = '/sys', meminfoPath = '/proc/meminfo'): CacheSizes {
  const sizes = { ...FALLBACK_CACHE_SIZES }
  let llcLevel = 0
  for (const { level, type, sizeBytes } of readSysfsCaches(sysRoot)) {
    if (type === 'Instruction') continue
    if (level === 1) sizes.l1dBytes = sizeBytes
    if (level === 2) sizes.l2Bytes = sizeBytes
    if (level >= 2 && level >= llcLevel) { llcLevel = level; sizes.llcBytes = sizeBytes }
  }
  try {
    const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(readFileSync(meminfoPath, 'utf8'))
    if (m) sizes.memoryBytes = Number(m[1]) * 1024
  } catch { /* keep fallback */ }
  return sizes
}
