/**
 * Forward models compared on held-out samples (last 20 %): the quadratic ridge model
 * (generator/forward.ts) against the nearest-neighbour one best-of-n used (mean trace of the
 * 5 training samples with the nearest compositions). Mean absolute error per metric in
 * normalised units, plus the fitting and prediction times.
 * usage: tsx bench/generator-forward.ts DATASET_DIR
 * @module
 */
import { forwardModel } from '../generator/baselines.js'
import { openDataset } from '../generator/dataset.js'
import { fitForward, Forward } from '../generator/forward.js'
import { fitRanges, normalise } from '../generator/normalise.js'

const dir = process.argv[2]
if (!dir) { process.stderr.write('usage: tsx bench/generator-forward.ts DATASET_DIR\n'); process.exit(2) }
const { meta, samples } = openDataset(dir)
const { space } = meta
const ranges = fitRanges(space.metrics, samples.map((s) => s.obs))
const cut = Math.floor(samples.length * 0.8)
const trainSet = samples.slice(0, cut)
const test = samples.slice(cut)
let t0 = performance.now()
const quad = new Forward(fitForward(ranges, trainSet))
const fitS = (performance.now() - t0) / 1000
const knn = forwardModel(space, ranges, trainSet)
const mae = (predict: (a: Float32Array) => Float32Array) => {
  const err = space.metrics.map(() => 0)
  t0 = performance.now()
  for (const s of test) {
    const p = predict(s.comp)
    normalise(ranges, s.obs).forEach((v, n) => { err[n] += Math.abs(p[n]! - v) / test.length })
  }
  return { mae: Object.fromEntries(space.metrics.map((m, n) => [m, +err[n]!.toFixed(4)])), usPerCall: +((performance.now() - t0) * 1000 / test.length).toFixed(1) }
}
process.stdout.write(JSON.stringify({
  samples: samples.length, heldOut: test.length, quadraticFitSeconds: +fitS.toFixed(3),
  quadratic: mae((a) => quad.predict(a)), nearestNeighbour5: mae(knn),
}, null, 2) + '\n')
