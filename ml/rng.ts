/**
 * The project's one seeded random number generator: xoshiro128** (Blackman & Vigna, 2018),
 * seeded through splitmix32 so that nearby seeds give unrelated streams. Deterministic across
 * runs and platforms: every experiment that says "seed 7" means the same numbers.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'

/** A seeded stream of uniform, normal and integer variates. */
export class Rng {
  #s = new Uint32Array(4)
  #spare = NaN

  /** @param seed any 32-bit integer (other numbers are truncated). */
  constructor(seed = 0) {
    let x = seed >>> 0
    for (let i = 0; i < 4; i++) {
      // splitmix32 expands one word into four well-mixed state words.
      x = (x + 0x9e3779b9) >>> 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      this.#s[i] = (z ^ (z >>> 16)) >>> 0
    }
  }

  /** Next raw 32-bit output. */
  nextU32(): number {
    const s = this.#s
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0
    const t = s[1] << 9
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 11)
    return r
  }

  /** Uniform in [0, 1). */
  next(): number { return this.nextU32() / 4294967296 }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number { return lo + (hi - lo) * this.next() }

  /** Standard normal (Box-Muller; the second variate is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.#spare)) {
      const v = this.#spare
      this.#spare = NaN
      return mean + std * v
    }
    const u = 1 - this.next() // (0, 1]: log stays finite
    const r = Math.sqrt(-2 * Math.log(u))
    const a = 2 * Math.PI * this.next()
    this.#spare = r * Math.sin(a)
    return mean + std * r * Math.cos(a)
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1) || !Number.isInteger(n)) throw new InvalidInputError(`Rng.int: n must be a positive integer, got ${n}`)
    return Math.floor(this.next() * n)
  }

  /** Shuffles `a` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      const t = a[i]; a[i] = a[j]; a[j] = t
    }
    return a
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n)
    for (let i = 0; i < n; i++) p[i] = i
    return this.shuffle(p)
  }

  /** Fills `out` with N(mean, std²) samples and returns it. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std)
    return out
  }

  /** Fills `out` with U(lo, hi) samples and returns it. */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi)
    return out
  }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0 }
