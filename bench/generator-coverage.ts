/**
 * Coverage of collected datasets at equal sample counts (novelty vs random collection): how far
 * each window of the real target traces is from the nearest collected trace window, and how
 * many cells of a 6-per-metric grid over the normalised metric space the dataset occupies.
 * usage: tsx bench/generator-coverage.ts TRACES_DIR N DATASET_DIR...
 * @module
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { openDataset } from '../generator/dataset.js'
import { fitRanges, normalise } from '../generator/normalise.js'
import { fillGaps, readTarget } from '../generator/target.js'

const [tracesDir, nArg, ...dirs] = process.argv.slice(2)
if (!tracesDir || !nArg || dirs.length === 0) { process.stderr.write('usage: tsx bench/generator-coverage.ts TRACES_DIR N DATASET_DIR...\n'); process.exit(2) }
const n = Number(nArg)
const sets = dirs.map((d) => ({ dir: d, ds: openDataset(d) }))
const metrics = sets[0]!.ds.meta.space.metrics
// One set of ranges for all datasets, so distances compare.
const ranges = fitRanges(metrics, sets.flatMap((s) => s.ds.samples.slice(0, n).map((x) => x.obs)))
const targets = readdirSync(tracesDir).filter((f) => f.endsWith('.csv'))
  .flatMap((f) => fillGaps(readTarget(join(tracesDir, f), metrics)).rows.map((r) => normalise(ranges, r)))
const out = sets.map(({ dir, ds }) => {
  const obs = ds.samples.slice(0, n).map((s) => normalise(ranges, s.obs))
  let dist = 0
  for (const t of targets) {
    let best = Infinity
    for (const o of obs) { let s = 0; for (let i = 0; i < t.length; i++) s += (t[i]! - o[i]!) ** 2; best = Math.min(best, s) }
    dist += Math.sqrt(best)
  }
  const cells = new Set(obs.map((o) => Array.from(o, (v) => Math.min(5, Math.floor(6 * Math.max(0, v)))).join(',')))
  return { dataset: dir, strategy: ds.meta.strategy, samples: obs.length, meanTargetNnDistance: dist / targets.length, occupiedCells: cells.size }
})
process.stdout.write(JSON.stringify(out, null, 2) + '\n')
