/**
 * A software contention probe for devices without hardware counters: each period it times a
 * short random pointer chase through an LLC-sized buffer and one through a DRAM-sized buffer
 * and reports each time relative to an idle baseline (1 = no contention). Neighbours that
 * thrash the LLC evict the probe's lines; neighbours that saturate DRAM bandwidth lengthen its
 * misses. A random cyclic permutation at cache-line granularity defeats the prefetchers.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'

const LINE_WORDS = 16 // 64-byte lines of Uint32 words

/** Probe sizing; defaults come from the device's caches (see probeSizes). */
export interface ContentionProbeOptions {
  llcBytes: number
  dramBytes: number
  /** Dependent loads per run (each run is this many hops along the chain). */
  hops?: number
  /** Random seed for the chain, for reproducible layouts. */
  seed?: number
}

/**
 * Buffer sizes for a device: half the LLC (at least 2×L2 so it is not served by L2, where the
 * LLC is big enough; at most 32 MiB) and 4×LLC (16-64 MiB). Without an L3, pass the L2 as both.
 */
export function probeSizes(l2Bytes: number, llcBytes: number): { llcBytes: number; dramBytes: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
  return {
    llcBytes: Math.max(64 << 10, clamp(llcBytes / 2, llcBytes > 4 * l2Bytes ? 2 * l2Bytes : 0, 32 << 20)),
    dramBytes: clamp(4 * llcBytes, 16 << 20, 64 << 20),
  }
}

/** A random single-cycle permutation of `lines` cache lines (Sattolo), stored in each line's first word. */
function chain(bytes: number, seed: number): Uint32Array {
  const lines = Math.max(2, Math.floor(bytes / 64))
  const buf = new Uint32Array(lines * LINE_WORDS)
  const order = new Uint32Array(lines)
  for (let i = 0; i < lines; i++) order[i] = i
  let s = seed >>> 0 || 1
  for (let i = lines - 1; i > 0; i--) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0 // xorshift32
    const j = s % i
    const t = order[i]!; order[i] = order[j]!; order[j] = t
  }
  for (let i = 0; i < lines; i++) buf[order[i]! * LINE_WORDS] = order[(i + 1) % lines]! * LINE_WORDS
  return buf
}

// Samplers running side by side (the daemon allows several recordings) share their chains;
// weak references let the buffers go once no probe uses them.
const chains = new Map<string, WeakRef<Uint32Array>>()

function sharedChain(bytes: number, seed: number): Uint32Array {
  const key = `${bytes}:${seed}`
  const hit = chains.get(key)?.deref()
  if (hit) return hit
  const buf = chain(bytes, seed)
  chains.set(key, new WeakRef(buf))
  return buf
}

/** Follows the chain for `hops` dependent loads from `start`; returns where it stopped. */
function chase(buf: Uint32Array, start: number, hops: number): number {
  let p = start
  for (let h = 0; h < hops; h++) p = buf[p]!
  return p
}

export class ContentionProbe {
  readonly #llc: Uint32Array
  readonly #dram: Uint32Array
  readonly #hops: number
  #llcPos = 0
  #dramPos = 0
  /** Idle run times in ns (minimum over calibration runs); null before calibrate(). */
  baselineNs: { llc: number; dram: number } | null = null

  constructor({ llcBytes, dramBytes, hops = 2048, seed = 0x9e3779b9 }: ContentionProbeOptions) {
    if (!(llcBytes >= 4096 && dramBytes >= 4096)) throw new InvalidInputError('contention probe buffers must be at least 4 KiB')
    if (!(Number.isInteger(hops) && hops > 0)) throw new InvalidInputError(`contention probe hops must be a positive integer, got ${hops}`)
    this.#llc = sharedChain(llcBytes, seed)
    this.#dram = sharedChain(dramBytes, seed + 1)
    this.#hops = hops
  }

  /** Bytes the probe holds. */
  get bytes(): number { return this.#llc.byteLength + this.#dram.byteLength }

  /** One timed run of each chase, in ns (the shorter of two back-to-back runs, to shed interrupts). */
  run(): { llc: number; dram: number } {
    const time = (buf: Uint32Array, pos: number): [number, number] => {
      let best = Infinity
      for (let r = 0; r < 2; r++) {
        const t0 = process.hrtime.bigint()
        pos = chase(buf, pos, this.#hops)
        best = Math.min(best, Number(process.hrtime.bigint() - t0))
      }
      return [best, pos]
    }
    const [llc, lp] = time(this.#llc, this.#llcPos)
    const [dram, dp] = time(this.#dram, this.#dramPos)
    this.#llcPos = lp
    this.#dramPos = dp
    return { llc, dram }
  }

  /**
   * Sets the idle baseline to the fastest of `runs` runs (after a warm-up that lets the JIT
   * compile the chase). Call it on a quiet machine; a busy one inflates the baseline.
   */
  calibrate(runs = 15): { llc: number; dram: number } {
    for (let i = 0; i < 3; i++) this.run()
    let llc = Infinity
    let dram = Infinity
    for (let i = 0; i < runs; i++) {
      const r = this.run()
      llc = Math.min(llc, r.llc)
      dram = Math.min(dram, r.dram)
    }
    this.baselineNs = { llc, dram }
    return this.baselineNs
  }

  /** Slowdown of one run against the baseline (calibrating first if needed). */
  measure(): { llc: number; dram: number } {
    const base = this.baselineNs ?? this.calibrate()
    const r = this.run()
    return { llc: r.llc / base.llc, dram: r.dram / base.dram }
  }
}
