/**
 * The composition space: random compositions for collection, projection of model outputs onto
 * valid compositions, and the a_{t−1} summary state-aware conditioning uses.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import type { Rng } from '../ml/rng.js'
import type { Space } from './types.js'

/** M×K, the length of one composition window. */
export function compDim(s: Space): number { return s.stressors.length * s.threads }

/** Length of the previous-composition summary: per-thread sums (K) then per-stressor sums (M). */
export function summaryDim(s: Space): number { return s.threads + s.stressors.length }

/**
 * Makes a window valid in place: values clipped to [0, 1]; unless the space mixes threads, only
 * the larger of the CPU/memory and the disk groups is kept on each thread (MimeSys runs one kind
 * per thread and window); a thread whose fractions sum above 1 is scaled down to 1.
 */
export function project(s: Space, a: Float32Array): Float32Array {
  const M = s.stressors.length
  const K = s.threads
  for (let k = 0; k < K; k++) {
    let cpu = 0
    let disk = 0
    for (let m = 0; m < M; m++) {
      const v = Math.min(1, Math.max(0, a[m * K + k]! || 0))
      a[m * K + k] = v
      if (s.disk[m]) disk += v; else cpu += v
    }
    const dropDisk = cpu >= disk
    let total = 0
    for (let m = 0; m < M; m++) {
      if (!s.mixedThreads && s.disk[m] === dropDisk) a[m * K + k] = 0
      total += a[m * K + k]!
    }
    if (total > 1) for (let m = 0; m < M; m++) a[m * K + k] = a[m * K + k]! / total
  }
  return a
}

/** Per-thread and per-stressor sums of a window, the compact state of a_{t−1}. */
export function summarise(s: Space, a: Float32Array, out = new Float32Array(summaryDim(s))): Float32Array {
  const M = s.stressors.length
  const K = s.threads
  out.fill(0)
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      out[k] += a[m * K + k]!
      out[K + m] += a[m * K + k]! / K
    }
  }
  return out
}

/**
 * A random valid window. Each thread independently idles (p 0.15), runs CPU/memory stressors
 * (p 0.55) or disk stressors (p 0.3); 1 to 3 stressors of the group share a busy fraction drawn
 * uniformly, so low, middle and full loads are all common. In a space that mixes threads, a
 * fifth of the threads run both groups instead (CPU busy b, disk busy uniform in [0, 1 − b]),
 * taken out of the CPU-only and disk-only shares.
 */
export function randomComposition(s: Space, rng: Rng): Float32Array {
  const M = s.stressors.length
  const K = s.threads
  const a = new Float32Array(M * K)
  const cpu = s.stressors.map((_, m) => m).filter((m) => !s.disk[m])
  const disk = s.stressors.map((_, m) => m).filter((m) => s.disk[m])
  // The busy fraction is drawn after the stressors are picked, as it always was, so unmixed
  // collections keep their seeds' compositions.
  const fill = (group: number[], k: number, busy: () => number): number => {
    if (group.length === 0) return 0
    const n = 1 + rng.int(Math.min(3, group.length))
    const picked = rng.shuffle([...group]).slice(0, n)
    const b = busy()
    const w = picked.map(() => -Math.log(1 - rng.next()))
    const ws = w.reduce((x, y) => x + y, 0)
    picked.forEach((m, i) => { a[m * K + k] = b * w[i]! / ws })
    return b
  }
  for (let k = 0; k < K; k++) {
    const u = rng.next()
    if (u < 0.15) continue
    if (s.mixedThreads && u >= 0.8 && disk.length > 0) {
      const b = fill(cpu, k, () => rng.next())
      fill(disk, k, () => (1 - b) * rng.next())
      continue
    }
    const cpuOnly = s.mixedThreads ? u < 0.6 : u < 0.7
    fill(cpuOnly || disk.length === 0 ? cpu : disk, k, () => rng.next())
  }
  return a
}

/** Checks that a window has the right length and values; used on compositions read from disk. */
export function checkWindow(s: Space, a: ArrayLike<number>, where: string): void {
  if (a.length !== compDim(s)) throw new InvalidInputError(`${where}: ${a.length} fractions, expected ${compDim(s)} (${s.stressors.length} stressors × ${s.threads} threads)`)
  for (let i = 0; i < a.length; i++) {
    if (!(a[i]! >= 0 && a[i]! <= 1)) throw new InvalidInputError(`${where}: fraction ${i} is ${a[i]}, must be in [0, 1]`)
  }
}
