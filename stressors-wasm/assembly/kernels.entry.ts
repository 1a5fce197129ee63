// Stressor kernels. The host owns the memory layout and passes buffer addresses; every kernel
// does `units` fixed-size pieces of work, wraps around its buffer, returns its new cursor and
// stores its result in `sink` so the optimiser cannot drop the work. bench/c/kernels.c holds
// the same kernels in C for the wasm/C throughput comparison.

/** Last result of a kernel, observable by the host (keeps the work alive). */
export let sink: u64 = 0

/** First 64 KiB-aligned address past the module's static data: the host's heap base. */
export function heapBase(): usize {
  return (__heap_base + 0xffff) & ~(<usize>0xffff)
}

// ---- CRC32C, slicing-by-8 (Intel's software CRC32C; Castagnoli polynomial, reflected) ----

const CRC_POLY: u32 = 0x82f63b78
/** Bytes hashed per unit. */
export const CRC_UNIT: u32 = 4096

/** The 8 × 256 u32 lookup tables at a static address, so table offsets are compile-time constants. */
const CRC_TABLE: usize = memory.data(8 * 1024, 64)

/** Fills the lookup tables (called once per instance). */
export function crcInit(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i
    for (let j = 0; j < 8; j++) c = (c & 1) ? (c >>> 1) ^ CRC_POLY : c >>> 1
    store<u32>(CRC_TABLE + (<usize>i << 2), c)
  }
  for (let i: u32 = 0; i < 256; i++) {
    let c = load<u32>(CRC_TABLE + (<usize>i << 2))
    for (let t: u32 = 1; t < 8; t++) {
      c = load<u32>(CRC_TABLE + (<usize>(c & 0xff) << 2)) ^ (c >>> 8)
      store<u32>(CRC_TABLE + (<usize>t << 10) + (<usize>i << 2), c)
    }
  }
}

/** One slicing-by-8 step: the CRC after 8 more bytes (lo, hi little-endian words). */
// @ts-ignore: decorator
@inline function step8(crc: u32, lo: u32, hi: u32): u32 {
  lo ^= crc
  // Table t sits at CRC_TABLE + t KiB: constant offsets of the loads, no address additions.
  return load<u32>(<usize>(lo << 2) & 0x3fc, CRC_TABLE + (7 << 10)) ^ load<u32>(<usize>(lo >>> 6) & 0x3fc, CRC_TABLE + (6 << 10)) ^
    load<u32>(<usize>(lo >>> 14) & 0x3fc, CRC_TABLE + (5 << 10)) ^ load<u32>(<usize>(lo >>> 22) & 0x3fc, CRC_TABLE + (4 << 10)) ^
    load<u32>(<usize>(hi << 2) & 0x3fc, CRC_TABLE + (3 << 10)) ^ load<u32>(<usize>(hi >>> 6) & 0x3fc, CRC_TABLE + (2 << 10)) ^
    load<u32>(<usize>(hi >>> 14) & 0x3fc, CRC_TABLE + (1 << 10)) ^ load<u32>(<usize>(hi >>> 22) & 0x3fc, CRC_TABLE)
}

/**
 * Hashes `units` × CRC_UNIT bytes of buf[0, len) from `off`, wrapping; returns the new offset.
 * Each unit runs two CRC32C lanes, one per half, so that two lookup chains overlap (a single
 * CRC chain is bound by load latency); the running state is the xor of the two lanes.
 */
export function crcRun(buf: usize, len: usize, off: usize, units: u32): usize {
  let crc: u32 = ~(<u32>sink)
  for (let u: u32 = 0; u < units; u++) {
    let p = buf + off
    const end = p + CRC_UNIT / 2
    let b: u32 = 0xffffffff
    while (p < end) {
      crc = step8(crc, load<u32>(p), load<u32>(p, 4))
      b = step8(b, load<u32>(p, CRC_UNIT / 2), load<u32>(p, CRC_UNIT / 2 + 4))
      p += 8
    }
    crc ^= b
    off += CRC_UNIT
    if (off + CRC_UNIT > len) off = 0
  }
  sink = <u64>(~crc)
  return off
}

// ---- SIMD float: squared Euclidean distance of 64-dim f32 points to the first point ----

/** Bytes per point: 64 × f32. */
export const FP_POINT: u32 = 256
/** Points per unit. */
export const FP_UNIT: u32 = 64

/** Fills n points with pseudo-random floats in [0, 1) (normal numbers: no denormal slow path). */
export function fpInit(buf: usize, n: u32, seed: u32): void {
  let x = seed | 1
  for (let i: usize = 0; i < <usize>n * 64; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    store<f32>(buf + (i << 2), <f32>(x >>> 8) * (1.0 / 16777216.0))
  }
}

/**
 * Distances from point 0 to `units` × FP_UNIT points from index `cur`, wrapping (n is a multiple
 * of 4); returns the new cur. Four points at a time: each query vector is loaded once for four
 * points, and the four accumulators are independent chains.
 */
export function fpRun(buf: usize, n: u32, cur: u32, units: u32): u32 {
  let total = f32x4.splat(0)
  for (let g: u32 = 0; g < units * (FP_UNIT / 4); g++) {
    const p = buf + <usize>cur * FP_POINT
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0)
    for (let d: usize = 0; d < FP_POINT; d += 16) {
      const q = v128.load(buf + d)
      const d0 = f32x4.sub(v128.load(p + d), q)
      const d1 = f32x4.sub(v128.load(p + d, FP_POINT), q)
      const d2 = f32x4.sub(v128.load(p + d, 2 * FP_POINT), q)
      const d3 = f32x4.sub(v128.load(p + d, 3 * FP_POINT), q)
      a0 = f32x4.add(a0, f32x4.mul(d0, d0)); a1 = f32x4.add(a1, f32x4.mul(d1, d1))
      a2 = f32x4.add(a2, f32x4.mul(d2, d2)); a3 = f32x4.add(a3, f32x4.mul(d3, d3))
    }
    total = f32x4.add(total, f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)))
    cur = cur + 4 >= n ? 0 : cur + 4
  }
  sink = <u64>reinterpret<u32>(f32x4.extract_lane(total, 0) + f32x4.extract_lane(total, 1) +
    f32x4.extract_lane(total, 2) + f32x4.extract_lane(total, 3))
  return cur
}

// ---- copy / compare / fill over pieces of a buffer ----

/** Copies `units` pieces from the first half of buf to the second; returns the new offset. */
export function copyRun(buf: usize, half: usize, piece: usize, off: usize, units: u32): usize {
  for (let u: u32 = 0; u < units; u++) {
    memory.copy(buf + half + off, buf + off, piece)
    off += piece
    if (off + piece > half) off = 0
  }
  return off
}

/** Compares `units` pieces of the two halves of buf (full scan, no early exit). */
export function cmpRun(buf: usize, half: usize, piece: usize, off: usize, units: u32): usize {
  let diff = i32x4.splat(0)
  for (let u: u32 = 0; u < units; u++) {
    const a = buf + off
    const b = a + half
    for (let i: usize = 0; i < piece; i += 64) {
      const x0 = v128.xor(v128.load(a + i), v128.load(b + i))
      const x1 = v128.xor(v128.load(a + i, 16), v128.load(b + i, 16))
      const x2 = v128.xor(v128.load(a + i, 32), v128.load(b + i, 32))
      const x3 = v128.xor(v128.load(a + i, 48), v128.load(b + i, 48))
      diff = v128.or(diff, v128.or(v128.or(x0, x1), v128.or(x2, x3)))
    }
    off += piece
    if (off + piece > half) off = 0
  }
  sink = <u64>v128.any_true(diff)
  return off
}

/** Fills `units` pieces of buf[0, len) with a byte; returns the new offset. */
export function fillRun(buf: usize, len: usize, piece: usize, off: usize, units: u32): usize {
  for (let u: u32 = 0; u < units; u++) {
    memory.fill(buf + off, <u8>(u + 1), piece)
    off += piece
    if (off + piece > len) off = 0
  }
  return off
}

// ---- dependent random loads: a single random cycle over 64-byte nodes ----

/** Links n nodes (64 B apart) into one random cycle (Sattolo's algorithm); next offsets in word 0. */
export function chaseInit(buf: usize, n: u32, seed: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u32>(buf + (<usize>i << 6), i << 6)
  let x = seed | 1
  for (let i: u32 = n - 1; i > 0; i--) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    const j = <u32>((<u64>x * <u64>i) >>> 32)
    const a = buf + (<usize>i << 6)
    const b = buf + (<usize>j << 6)
    const t = load<u32>(a)
    store<u32>(a, load<u32>(b))
    store<u32>(b, t)
  }
}

/** Follows `hops` links from node offset `cur`; returns where it stopped. */
export function chaseRun(buf: usize, cur: u32, hops: u32): u32 {
  for (let h: u32 = 0; h < hops; h++) cur = load<u32>(buf + <usize>cur)
  sink = <u64>cur
  return cur
}

// ---- hash-set insert-miss: open addressing, linear probing, u32 keys (0 = empty) ----

/** Inserts `count` fresh keys into the set at `set`: header {size u32, rng u32} then `cap` slots. */
export function hashRun(set: usize, cap: u32, entries: u32, count: u32): void {
  const table = set + 64
  let size = load<u32>(set)
  let x = load<u32>(set, 4) | 1
  for (let c: u32 = 0; c < count; c++) {
    // xorshift32 never repeats within its period, so every insert misses.
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    let i = <u32>((<u64>(x * 0x9e3779b1) * <u64>cap) >>> 32)
    while (load<u32>(table + (<usize>i << 2)) != 0) i = i + 1 == cap ? 0 : i + 1
    store<u32>(table + (<usize>i << 2), x)
    if (++size == entries) {
      memory.fill(table, 0, <usize>cap << 2)
      size = 0
    }
  }
  store<u32>(set, size)
  store<u32>(set, x, 4)
}
