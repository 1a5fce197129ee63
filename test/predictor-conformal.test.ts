import t from 'tap'
import { Rng } from '../ml/index.js'
import { calibrate, confidentRank, conformalMargin, naiveHead } from '../predictor/conformal.js'

t.test('margin is the exact finite-sample order statistic', async (t) => {
  const r = [5, 1, 4, 2, 3, 9, 8, 7, 6]
  t.equal(conformalMargin(r, 0.1), 9, 'n=9, eps=.1: rank ceil(10·0.9)=9')
  t.equal(conformalMargin(r, 0.5), 5, 'rank ceil(10·0.5)=5')
  t.equal(conformalMargin([1, 2, 3, 4, 5], 0.1), Infinity, 'rank 6 > n: no finite bound')
  t.throws(() => conformalMargin(r, 0), { code: 'EM_INVALID_INPUT' })
})

t.test('coverage holds on exchangeable data for every eps (averaged over many draws)', async (t) => {
  const rng = new Rng(3)
  for (const eps of [0.1, 0.05, 0.01]) {
    let covered = 0, total = 0
    for (let trial = 0; trial < 300; trial++) {
      // Heavy-tailed, skewed residuals: coverage must not depend on the distribution.
      const draw = () => Math.exp(rng.normal()) - 1
      const cal = Float64Array.from({ length: 199 }, draw)
      const m = conformalMargin(cal, eps)
      for (let k = 0; k < 50; k++) { if (draw() <= m) covered++; total++ }
    }
    const cov = covered / total
    t.ok(cov >= 1 - eps - 0.006, `eps ${eps}: coverage ${cov.toFixed(4)} >= 1-eps`)
    t.ok(cov <= 1 - eps + 1 / 200 + 0.006, `eps ${eps}: coverage ${cov.toFixed(4)} not wastefully high`)
  }
})

t.test('head choice picks the calibrated head with the tightest bound', async (t) => {
  const rng = new Rng(5)
  const n = 400, H = 3
  const y = Float64Array.from({ length: n }, () => rng.normal())
  // Head 1 is informative (knows most of y), heads 0 and 2 are not.
  const pred = new Float64Array(n * H)
  for (let r = 0; r < n; r++) { pred[r * H] = 0; pred[r * H + 1] = y[r] + 0.05 * rng.normal(); pred[r * H + 2] = 1 }
  const c = calibrate(y, pred, H, 0.1)
  t.equal(c.head, 1)
  const naive = calibrate(y, pred, H, 0.1, [2])
  t.equal(naive.head, 2, 'a restricted choice is honoured')
  t.equal(naiveHead([0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99], 0.05), 5)
})

/**
 * Rows whose H heads are equally good, independently noisy predictors: choosing the "best" head
 * on the rows that also set its margin is then pure overfitting, the worst case for the choice.
 */
function equalHeads(rng: Rng, H: number) {
  return (n: number) => {
    const y = new Float64Array(n), pred = new Float64Array(n * H)
    for (let r = 0; r < n; r++) { y[r] = rng.normal(); for (let h = 0; h < H; h++) pred[r * H + h] = 0.7 * y[r] + 0.7 * rng.normal() }
    return { y, pred }
  }
}

t.test('head choice + calibration keeps coverage (selection on one half, margin on the other)', async (t) => {
  const H = 8, eps = 0.1
  const rows = equalHeads(new Rng(11), H)
  let covered = 0, total = 0
  for (let trial = 0; trial < 400; trial++) {
    const cal = rows(100), test = rows(40)
    const c = calibrate(cal.y, cal.pred, H, eps)
    for (let r = 0; r < 40; r++) { if (test.y[r] <= test.pred[r * H + c.head] + c.margin) covered++; total++ }
  }
  t.ok(covered / total >= 1 - eps - 0.005, `coverage ${(covered / total).toFixed(4)} >= ${1 - eps}`)
})

t.test('with a confidence rank, head choice and margin use every row and still cover on average', async (t) => {
  const H = 8, eps = 0.1
  const rows = equalHeads(new Rng(12), H)
  const one = rows(500), chosen = calibrate(one.y, one.pred, H, eps, undefined, 0.9)
  const res = Float64Array.from(one.y, (y, r) => y - one.pred[r * H + chosen.head])
  t.equal(chosen.margin, conformalMargin(res, eps, 0.9), 'the margin comes from all rows')
  let covered = 0, total = 0
  for (let trial = 0; trial < 200; trial++) {
    const cal = rows(1000), test = rows(200)
    const c = calibrate(cal.y, cal.pred, H, eps, undefined, 0.9)
    for (let r = 0; r < 200; r++) { if (test.y[r] <= test.pred[r * H + c.head] + c.margin) covered++; total++ }
  }
  t.ok(covered / total >= 1 - eps, `coverage ${(covered / total).toFixed(4)} >= ${1 - eps}`)
})

t.test('training-conditional rank: coverage >= 1-eps for most calibration draws', async (t) => {
  t.equal(confidentRank(100, 0.1, 0.9), 95)
  t.ok(confidentRank(4400, 0.1, 0.9) > Math.ceil(4401 * 0.9), 'stricter than the marginal rank')
  const rng = new Rng(8)
  let failures = 0
  const trials = 300
  for (let trial = 0; trial < trials; trial++) {
    // Uniform residuals: the true coverage of a margin m is m itself.
    const m = conformalMargin(Float64Array.from({ length: 200 }, () => rng.next()), 0.1, 0.9)
    if (m < 0.9) failures++
  }
  t.ok(failures / trials <= 0.1 + 0.04, `coverage below 0.9 in ${failures}/${trials} draws (allowed ~10%)`)
})
