/**
 * Does the previous composition a_{t−1} explain any of a window's trace o_t beyond a_t? The
 * question behind state-aware conditioning: per metric, held-out R² (last 20 % of the samples)
 * of ridge least squares on quadratic features of a_t, then with a_{t−1} added. Equal R² means
 * the recorded trace carries no state from one window to the next, so conditioning on it
 * cannot help. Normal equations solved directly (≤ 200 features): no matrix library needed.
 * usage: tsx bench/generator-state.ts DATASET_DIR...
 * @module
 */
import { openDataset } from '../generator/dataset.js'
import type { Sample } from '../generator/types.js'

const dirs = process.argv.slice(2)
if (dirs.length === 0) { process.stderr.write('usage: tsx bench/generator-state.ts DATASET_DIR...\n'); process.exit(2) }

/** 1, a_t, pairwise products of a_t (fractions share a thread, so they interact), optionally a_{t−1}. */
function features(s: Sample, withPrev: boolean): number[] {
  const f = [1, ...s.comp]
  for (let i = 0; i < s.comp.length; i++) for (let j = i; j < s.comp.length; j++) f.push(s.comp[i]! * s.comp[j]!)
  if (withPrev) f.push(...s.prev)
  return f
}

/** Ridge weights (λ = 1e-3) by Gaussian elimination with partial pivoting. */
function ridge(X: number[][], y: number[]): Float64Array {
  const d = X[0]!.length
  const A = Array.from({ length: d }, () => new Float64Array(d + 1))
  X.forEach((x, i) => {
    for (let p = 0; p < d; p++) {
      A[p]![d] += x[p]! * y[i]!
      for (let q = 0; q < d; q++) A[p]![q] += x[p]! * x[q]!
    }
  })
  for (let p = 0; p < d; p++) A[p]![p] += 1e-3
  for (let c = 0; c < d; c++) {
    let r = c
    for (let k = c + 1; k < d; k++) if (Math.abs(A[k]![c]!) > Math.abs(A[r]![c]!)) r = k
    ;[A[c], A[r]] = [A[r]!, A[c]!]
    for (let k = c + 1; k < d; k++) {
      const f = A[k]![c]! / A[c]![c]!
      for (let q = c; q <= d; q++) A[k]![q] -= f * A[c]![q]!
    }
  }
  const w = new Float64Array(d)
  for (let c = d - 1; c >= 0; c--) {
    let s = A[c]![d]!
    for (let q = c + 1; q < d; q++) s -= A[c]![q]! * w[q]!
    w[c] = s / A[c]![c]!
  }
  return w
}

/** Held-out R² of metric n. */
function heldOutR2(samples: Sample[], n: number, withPrev: boolean): number {
  const X = samples.map((s) => features(s, withPrev))
  const y = samples.map((s) => s.obs[n]!)
  const cut = Math.floor(samples.length * 0.8)
  const w = ridge(X.slice(0, cut), y.slice(0, cut))
  const test = y.slice(cut)
  const mean = test.reduce((a, b) => a + b, 0) / test.length
  let se = 0
  let st = 0
  test.forEach((v, i) => {
    const p = X[cut + i]!.reduce((a, x, k) => a + x * w[k]!, 0)
    se += (p - v) ** 2
    st += (v - mean) ** 2
  })
  return 1 - se / st
}

for (const dir of dirs) {
  const { meta, samples } = openDataset(dir)
  console.log(`${dir}: ${samples.length} samples, record source ${meta.space.source}`)
  meta.space.metrics.forEach((m, n) => {
    const a = heldOutR2(samples, n, false)
    const b = heldOutR2(samples, n, true)
    console.log(`  ${m.padEnd(24)} R² a_t ${a.toFixed(4)}   a_t + a_{t-1} ${b.toFixed(4)}   gain ${(b - a).toFixed(4)}`)
  })
}
