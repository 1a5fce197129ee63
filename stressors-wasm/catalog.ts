/**
 * The stressor catalog: every stressor a composition may name, its family, its parameters and
 * how much memory and disk it needs. Defaults are sized from the device's caches (see
 * cache-sizes.ts) following the MimeSys set: a cold-buffer hash, SIMD float math, L1/L2 copies,
 * an LLC compare, DRAM stream/write/random-load, hash-set insert-miss, disk read/write at full
 * rate and paced, and idle.
 * @module
 */
import { readCacheSizes, type CacheSizes } from './cache-sizes.js'

export type StressorFamily = 'cpu' | 'memory' | 'cache' | 'disk' | 'idle'

/** One numeric parameter of a stressor. Values are integers within [min, max]. */
export interface ParamSpec {
  default: number
  min: number
  max: number
  unit: string
  description: string
}

export interface StressorSpec {
  name: string
  family: StressorFamily
  description: string
  params: Record<string, ParamSpec>
  /** Bytes of worker memory this stressor touches, for the given (complete) parameters. */
  workingSetBytes(params: Record<string, number>): number
  /** Bytes of disk file this stressor needs in caps.diskDir. */
  diskBytes(params: Record<string, number>): number
  /** Checks relations between parameters; returns what is wrong, if anything. */
  check?(params: Record<string, number>): string | undefined
  /** Kernel that runs it (several catalog names share one kernel with different defaults). */
  kernel: KernelName
}

export type KernelName =
  | 'crc32c' | 'fp-distance' | 'memcpy' | 'memcmp' | 'stream' | 'memset' | 'chase' | 'hashset'
  | 'disk-read' | 'disk-write' | 'idle'

const KiB = 1024
const MiB = 1024 * KiB
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
/** Rounds down to a multiple of 4 KiB so buffers split into aligned halves and SIMD lanes. */
const page = (v: number) => Math.max(4 * KiB, Math.floor(v / (4 * KiB)) * 4 * KiB)

function bufferParam(def: number, what: string, min = 4 * KiB): Record<string, ParamSpec> {
  return { bufferBytes: { default: page(def), min, max: 1024 * MiB, unit: 'bytes', description: what } }
}
const byBuffer = (p: Record<string, number>) => p.bufferBytes!
const noDisk = () => 0

/**
 * Builds the catalog for a device.
 * @param sizes cache and memory sizes; read from sysfs when omitted.
 * @example stressorCatalog().map((s) => s.name) // ['cpu-crc32c', 'cpu-fp-simd', ...]
 */
export function stressorCatalog(sizes: CacheSizes = readCacheSizes()): StressorSpec[] {
  // Past the LLC so that DRAM stressors really reach memory, but bounded for small devices.
  const dram = clamp(2 * sizes.llcBytes, 32 * MiB, Math.min(256 * MiB, Math.max(32 * MiB, sizes.memoryBytes / 32)))
  const cpu: StressorSpec[] = [
    { name: 'cpu-crc32c', family: 'cpu', kernel: 'crc32c', description: 'CRC32C (slicing-by-8 tables, two lanes) over a cold DRAM-sized buffer',
      params: bufferParam(dram, 'buffer hashed sequentially, wrapping around'), workingSetBytes: byBuffer, diskBytes: noDisk },
    { name: 'cpu-fp-simd', family: 'cpu', kernel: 'fp-distance', description: 'f32x4 squared Euclidean distances between 64-dim points held in L1',
      params: bufferParam(sizes.l1dBytes / 2, 'point set (64 f32 per point)', 8 * KiB), workingSetBytes: byBuffer, diskBytes: noDisk },
    { name: 'cache-memcpy-l1', family: 'cache', kernel: 'memcpy', description: 'memcpy between two halves of an L1-sized buffer',
      params: bufferParam(sizes.l1dBytes / 2, 'source + destination'), workingSetBytes: byBuffer, diskBytes: noDisk },
    { name: 'cache-memcpy-l2', family: 'cache', kernel: 'memcpy', description: 'memcpy between two halves of an L2-sized buffer',
      params: bufferParam(sizes.l2Bytes / 2, 'source + destination'), workingSetBytes: byBuffer, diskBytes: noDisk },
    { name: 'cache-memcmp-llc', family: 'cache', kernel: 'memcmp', description: 'SIMD compare of two equal LLC-sized buffers (full scan)',
      params: bufferParam(clamp(sizes.llcBytes / 2, 1 * MiB, 128 * MiB), 'both buffers together'), workingSetBytes: byBuffer, diskBytes: noDisk },
    { name: 'mem-stream', family: 'memory', kernel: 'stream', description: 'streaming read+write (copy) between two halves of a DRAM-sized buffer',
      params: bufferParam(dram, 'source + destination'), workingSetBytes: byBuffer, diskBytes: noDisk },
    { name: 'mem-memset', family: 'memory', kernel: 'memset', description: 'memset over a DRAM-sized buffer (write bandwidth)',
      params: bufferParam(dram, 'buffer written'), workingSetBytes: byBuffer, diskBytes: noDisk },
    { name: 'mem-chase', family: 'memory', kernel: 'chase', description: 'dependent random loads over a cyclic permutation of 64-byte nodes',
      params: bufferParam(dram, 'node array'), workingSetBytes: byBuffer, diskBytes: noDisk },
    hashset('mem-hashset-256k', 256 * KiB),
    hashset('mem-hashset-1m', 1024 * KiB),
  ]
  return [...cpu, ...diskStressors(), {
    name: 'idle', family: 'idle', kernel: 'idle', description: 'sleep (no CPU, no memory traffic)',
    params: {}, workingSetBytes: () => 0, diskBytes: noDisk,
  }]
}

function hashset(name: string, entries: number): StressorSpec {
  return {
    name, family: 'memory', kernel: 'hashset',
    description: `open-addressing u32 hash set: insert fresh keys (always a miss) up to ${entries / KiB}K entries, clear, repeat`,
    params: { entries: { default: entries, min: 1024, max: 64 * MiB, unit: 'entries', description: 'inserts before the set is cleared' } },
    // A 64-byte header, then the table at load factor 1/2 with 4-byte slots.
    workingSetBytes: (p) => 8 * p.entries! + 64, diskBytes: noDisk,
  }
}

/**
 * disk-{read,write}-{1m,256k}[-p{5,10,25,50,500}]: full-rate and paced block I/O. The pauses span
 * ~4 MB/s (256k-p50) to ~170 MB/s (1m-p5) per thread, the rates real programs show; full rate
 * runs at GB/s on an SSD.
 */
function diskStressors(): StressorSpec[] {
  const out: StressorSpec[] = []
  for (const op of ['read', 'write'] as const) {
    for (const [tag, block] of [['1m', 1 * MiB], ['256k', 256 * KiB]] as const) {
      for (const pause of [0, 5, 10, 25, 50, 500]) {
        out.push({
          name: `disk-${op}-${tag}${pause ? `-p${pause}` : ''}`, family: 'disk', kernel: `disk-${op}`,
          description: op === 'read'
            ? `sequential ${tag.toUpperCase()} reads bypassing the page cache${pause ? `, ${pause} ms pause after each block` : ''}`
            : `sequential ${tag.toUpperCase()} writes, each synced to disk${pause ? `, ${pause} ms pause after each block` : ''}`,
          params: {
            blockBytes: { default: block, min: 4 * KiB, max: 16 * MiB, unit: 'bytes', description: 'bytes per I/O (multiple of 4 KiB)' },
            pauseMs: { default: pause, min: 0, max: 10_000, unit: 'ms', description: 'sleep after each block' },
            fileBytes: { default: 64 * MiB, min: 1 * MiB, max: 64 * 1024 * MiB, unit: 'bytes', description: 'size of the file cycled through' },
          },
          workingSetBytes: (p) => p.blockBytes!, diskBytes: (p) => p.fileBytes!,
          check: (p) => (p.blockBytes! % 4096 || p.fileBytes! % 4096 ? 'blockBytes and fileBytes must be multiples of 4096'
            : p.blockBytes! > p.fileBytes! ? `blockBytes (${p.blockBytes}) exceeds fileBytes (${p.fileBytes})` : undefined),
        })
      }
    }
  }
  return out
}
