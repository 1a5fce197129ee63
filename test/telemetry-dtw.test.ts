import t from 'tap'
import { dtw, normalisedDtw, rangesFromTraces, type Trace } from '../telemetry/index.js'

/** Textbook full-matrix DTW (absolute cost), with an optional predicate restricting cells. */
function referenceDtw(x: number[], y: number[], allowed: (i: number, j: number) => boolean = () => true): number {
  const D = x.map(() => y.map(() => Infinity))
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (!allowed(i, j)) continue
      const prev = i === 0 && j === 0 ? 0 : Math.min(i > 0 ? D[i - 1]![j]! : Infinity, j > 0 ? D[i]![j - 1]! : Infinity, i > 0 && j > 0 ? D[i - 1]![j - 1]! : Infinity)
      D[i]![j] = Math.abs(x[i]! - y[j]!) + prev
    }
  }
  return D[x.length - 1]![y.length - 1]!
}

function rng(seed: number): () => number {
  let s = seed
  return () => { s = (s * 1664525 + 1013904223) % 2 ** 32; return s / 2 ** 32 }
}

t.test('check value from the MimeSys notes', async (t) => {
  t.equal(dtw([0, 0, 1, 2, 1, 0, 1, 0, 0], [0, 1, 2, 0, 0, 0, 0, 0, 0]), 2)
  t.equal(dtw([1, 2, 3], [1, 2, 3]), 0)
  t.equal(dtw([5], [1, 2, 3]), 4 + 3 + 2)
})

t.test('matches the full-matrix reference on random series of unequal lengths', async (t) => {
  const r = rng(7)
  for (let k = 0; k < 40; k++) {
    const x = Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.round(r() * 10))
    const y = Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.round(r() * 10))
    t.equal(dtw(x, y), referenceDtw(x, y), `pair ${k}`)
  }
})

t.test('Sakoe-Chiba band: equal lengths match a banded reference; wider bands never cost more', async (t) => {
  const r = rng(11)
  for (let k = 0; k < 20; k++) {
    const n = 5 + Math.floor(r() * 40)
    const x = Array.from({ length: n }, () => r() * 10)
    const y = Array.from({ length: n }, () => r() * 10)
    for (const band of [0, 1, 3]) t.ok(Math.abs(dtw(x, y, band) - referenceDtw(x, y, (i, j) => Math.abs(i - j) <= band)) < 1e-9, `pair ${k} band ${band}`)
    t.ok(dtw(x, y, 0) >= dtw(x, y, 2) - 1e-9 && dtw(x, y, 2) >= dtw(x, y) - 1e-9)
    // band 0 on equal lengths is the point-wise L1 distance
    t.ok(Math.abs(dtw(x, y, 0) - x.reduce((s, v, i) => s + Math.abs(v - y[i]!), 0)) < 1e-9)
  }
  t.ok(Number.isFinite(dtw([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 5, 10], 0)), 'a band stays connected for unequal lengths')
})

t.test('bad input gets clear errors', async (t) => {
  t.throws(() => dtw([], [1]), { code: 'EM_INVALID_INPUT', message: /empty/ })
  t.throws(() => dtw([1, NaN], [1]), { message: /x\[1\] is not finite/ })
  t.throws(() => dtw([1], [1], -1), { message: /band/ })
})

const trace = (cols: Record<string, number[]>): Trace => {
  const names = Object.keys(cols)
  return { columns: names, rows: cols[names[0]!]!.map((_, i) => names.map((n) => cols[n]![i]!)) }
}

t.test('normalisedDtw divides by T × range and averages over metrics', async (t) => {
  const time = [1, 2, 3, 4, 5, 6, 7, 8, 9]
  const zeros = time.map(() => 0)
  const a = trace({ time_s: time, cpu_util_0: [0, 0, 1, 2, 1, 0, 1, 0, 0], disk_read_bytes_per_s: zeros, disk_write_bytes_per_s: zeros })
  const b = trace({ time_s: time, cpu_util_0: [0, 1, 2, 0, 0, 0, 0, 0, 0], disk_read_bytes_per_s: zeros, disk_write_bytes_per_s: zeros })
  const r = normalisedDtw(a, b, { ranges: { cpu_util_0: 100, disk_read_bytes_per_s: 1, disk_write_bytes_per_s: 1 } })
  t.equal(r.per_metric.cpu_util_0, 2 / (9 * 100))
  t.equal(r.per_metric.disk_read_bytes_per_s, 0)
  t.equal(r.mean, 2 / (9 * 100) / 3)
  const own = normalisedDtw(a, b)
  t.equal(own.per_metric.cpu_util_0, 2 / (9 * 2), 'default range = max − min over both traces')
  t.equal(own.per_metric.disk_write_bytes_per_s, 0, 'constant equal metric scores 0')
  t.same(Object.keys(normalisedDtw(a, b, { ranges: { cpu_util_0: 10 } }).per_metric), ['cpu_util_0'], 'ranges select the metrics')
  t.throws(() => normalisedDtw(a, b, { ranges: { cpu_util_0: 0 } }), { message: /range of cpu_util_0 must be a positive/ })
  t.throws(() => normalisedDtw(a, b, { metrics: ['cpu_util_0'], ranges: {} }), { message: /no range given/ })
  t.throws(() => normalisedDtw(a, trace({ time_s: [1], other: [1] })), { message: /share no metric/ })
  t.same(rangesFromTraces([a, b]), { cpu_util_0: 2, disk_read_bytes_per_s: 0, disk_write_bytes_per_s: 0 })
})

t.test('T = 3,600 per metric: exact and banded timings (reported, not asserted)', async (t) => {
  const r = rng(3)
  const x = Float64Array.from({ length: 3600 }, () => r() * 100)
  const y = Float64Array.from({ length: 3600 }, () => r() * 100)
  const t0 = performance.now()
  const exact = dtw(x, y)
  const t1 = performance.now()
  const banded = dtw(x, y, 60)
  const t2 = performance.now()
  t.ok(banded >= exact)
  t.comment(`dtw 3600×3600 exact ${(t1 - t0).toFixed(0)} ms, band 60 ${(t2 - t1).toFixed(1)} ms`)
})
