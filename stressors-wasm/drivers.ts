/**
 * One driver per compute kernel: prepares its buffer, then does `units` of fixed-size work per
 * call while keeping its own cursor. Units are small (sub-microsecond to ~20 µs) so the run loop
 * can land close to a deadline.
 * @module
 */
import type { KernelInstance } from './wasm-kernels.js'
import type { WorkerStressor } from './protocol.js'

export interface Driver {
  /** Does `units` pieces of work. */
  run(units: number): void
  opsPerUnit: number
  bytesPerUnit: number
}

const CRC_UNIT = 4096
const FP_POINT = 256
const FP_UNIT = 64
/** Largest piece one copy/compare/fill unit handles. */
const PIECE = 64 * 1024
const CHASE_HOPS = 64
const HASH_INSERTS = 64

/** Builds the driver of a compute stressor whose buffer starts at `heap + offset`. */
export function makeDriver(k: KernelInstance, s: WorkerStressor): Driver {
  const x = k.exports
  const buf = k.heap + (s.offset ?? 0)
  const bytes = s.params.bufferBytes ?? 0
  const half = Math.floor(bytes / 2 / 64) * 64
  const halfPiece = Math.min(half, PIECE)
  let off = 0
  switch (s.kernel) {
    case 'crc32c':
      return { opsPerUnit: CRC_UNIT, bytesPerUnit: CRC_UNIT, run: (u) => { off = x.crcRun(buf, bytes, off, u) } }
    case 'fp-distance': {
      const n = Math.floor(bytes / FP_POINT)
      x.fpInit(buf, n, 0x9e3779b9 ^ s.index)
      return { opsPerUnit: FP_UNIT, bytesPerUnit: FP_UNIT * FP_POINT, run: (u) => { off = x.fpRun(buf, n, off, u) } }
    }
    case 'memcpy':
    case 'stream':
      return { opsPerUnit: halfPiece, bytesPerUnit: 2 * halfPiece, run: (u) => { off = x.copyRun(buf, half, halfPiece, off, u) } }
    case 'memcmp':
      return { opsPerUnit: halfPiece, bytesPerUnit: 2 * halfPiece, run: (u) => { off = x.cmpRun(buf, half, halfPiece, off, u) } }
    case 'memset': {
      const piece = Math.min(bytes, PIECE)
      return { opsPerUnit: piece, bytesPerUnit: piece, run: (u) => { off = x.fillRun(buf, bytes, piece, off, u) } }
    }
    case 'chase': {
      x.chaseInit(buf, Math.floor(bytes / 64), 0x2545f491 ^ s.index)
      return { opsPerUnit: CHASE_HOPS, bytesPerUnit: CHASE_HOPS * 64, run: (u) => { off = x.chaseRun(buf, off, u * CHASE_HOPS) } }
    }
    case 'hashset': {
      const entries = s.params.entries!
      const cap = 2 * entries
      new Uint32Array(x.memory.buffer, buf, 2).set([0, 0x6b43a9b5 ^ s.index])
      return { opsPerUnit: HASH_INSERTS, bytesPerUnit: HASH_INSERTS * 4, run: (u) => { x.hashRun(buf, cap, entries, u * HASH_INSERTS) } }
    }
    default:
      throw new Error(`no compute driver for kernel ${s.kernel}`)
  }
}

/** Touches every page of a region so first-touch page faults happen before the replay. */
export function prefault(k: KernelInstance, offset: number, bytes: number, value: number): void {
  new Uint8Array(k.exports.memory.buffer, k.heap + offset, bytes).fill(value)
}
