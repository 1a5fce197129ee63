/**
 * Does the previous composition a_{t−1} explain any of a window's trace o_t beyond a_t? The
 * question behind state-aware conditioning: per metric, held-out R² (last 20 % of the samples)
 * of ridge least squares on quadratic features of a_t, then with a_{t−1} added. Equal R² means
 * the recorded trace carries no state from one window to the next, so conditioning on it
 * cannot help. The ridge solver and features are the forward model's (generator/forward.ts).
 * usage: tsx bench/generator-state.ts DATASET_DIR...
 * @module
 */
import { openDataset } from '../generator/dataset.js'
import { quadFeatures, ridge, rSquared } from '../generator/forward.js'
import type { Sample } from '../generator/types.js'

const dirs = process.argv.slice(2)
if (dirs.length === 0) { process.stderr.write('usage: tsx bench/generator-state.ts DATASET_DIR...\n'); process.exit(2) }

/** Quadratic features of a_t (fractions share a thread, so they interact), optionally a_{t−1}. */
function features(s: Sample, withPrev: boolean): number[] {
  return [...quadFeatures(s.comp), ...(withPrev ? s.prev : [])]
}

/** Held-out R² of metric n. */
function heldOutR2(samples: Sample[], n: number, withPrev: boolean): number {
  const X = samples.map((s) => features(s, withPrev))
  const y = samples.map((s) => s.obs[n]!)
  const cut = Math.floor(samples.length * 0.8)
  const [w] = ridge(X.slice(0, cut), [y.slice(0, cut)], 1e-3)
  return rSquared(X.slice(cut).map((x) => x.reduce((a, v, k) => a + v * w![k]!, 0)), y.slice(cut))
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
