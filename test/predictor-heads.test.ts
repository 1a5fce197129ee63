import t from 'tap'
import { Rng, useBackend } from '../ml/index.js'
import { backwardRows, magnitudeTable, predictRows, scoreWorkload, type Embeddings } from '../predictor/heads.js'

const d = { heads: 3, rank: 4, types: 2, slope: 0.1 }
const rng = new Rng(7)
const table = (n: number) => rng.fillNormal(new Float32Array(n), 0, 0.7)
const e: Embeddings = { work: table(5 * 12), plat: table(3 * 20), bx: table(3), by: table(5) }
const obs = { arity: 2, platform: Int32Array.of(0, 2, 1, 2), workload: Int32Array.of(4, 1, 0, 3), corunners: Int32Array.of(1, 2, 4, 4, 0, 3, 2, 2), logT: new Float64Array(4) }
const idx = Int32Array.of(0, 1, 2, 3)
const c = table(4 * 3) // L = Σ c · ŷ

function loss(): number {
  const out = new Float64Array(12)
  predictRows(e, d, obs, idx, out)
  return out.reduce((s, v, k) => s + v * c[k], 0)
}

t.test('Eq. 9 by hand for one row and head', async (t) => {
  const out = new Float64Array(12)
  predictRows(e, d, obs, idx, out)
  const w = (i: number, h: number) => Array.from(e.work.subarray(i * 12 + h * 4, i * 12 + h * 4 + 4))
  const pv = (j: number, off: number) => Array.from(e.plat.subarray(j * 20 + off, j * 20 + off + 4))
  const dot = (a: number[], b: number[]) => a.reduce((s, v, q) => s + v * b[q], 0)
  const [i, j, h] = [1, 2, 2]
  let y = e.bx[j] + e.by[i] + dot(w(i, h), pv(j, 0))
  for (let s = 0; s < 2; s++) {
    const m = dot(w(4, h), pv(j, 12 + 4 * s)) + dot(w(4, h), pv(j, 12 + 4 * s))
    y += dot(w(i, h), pv(j, 4 + 4 * s)) * (m > 0 ? m : 0.1 * m)
  }
  t.ok(Math.abs(out[1 * 3 + h] - y) < 1e-5, `${out[1 * 3 + h]} vs ${y}`)
})

// Both backends: the WASM kernel is what training runs, the JS reference what it is tested against.
for (const backend of ['wasm', 'js'] as const) t.test(`backward matches finite differences for every table (${backend})`, async (t) => {
  useBackend(backend)
  const z = new Float32Array(4 * 3 * 2 * 2), out = new Float32Array(12)
  predictRows(e, d, obs, idx, out, z)
  const g: Embeddings = { work: new Float32Array(60), plat: new Float32Array(60), bx: new Float32Array(3), by: new Float32Array(5) }
  backwardRows(e, d, obs, idx, c, z, g)
  let worst = 0
  for (const key of ['work', 'plat', 'bx', 'by'] as const) {
    for (let k = 0; k < e[key].length; k++) {
      const v = e[key][k], hstep = 1e-2
      e[key][k] = v + hstep; const up = loss()
      e[key][k] = v - hstep; const dn = loss()
      e[key][k] = v
      worst = Math.max(worst, Math.abs((up - dn) / (2 * hstep) - g[key][k]))
    }
  }
  t.ok(worst < 2e-3, `max |analytic - numeric| = ${worst.toExponential(2)}`)
  useBackend('wasm')
})

t.test('candidate scoring equals row prediction', async (t) => {
  const plats = Int32Array.of(0, 2, 2, 1), kos = Int32Array.of(1, 2, 4, 4, 0, 3, 2, 2)
  const [a, b] = scoreWorkload(e, d, 3, plats, kos, 2, [0, 2])
  const [a2, b2] = scoreWorkload(e, d, 3, plats, kos, 2, [0, 2], [magnitudeTable(e, d, 0), magnitudeTable(e, d, 2)])
  const rows = { ...obs, platform: plats, workload: Int32Array.of(3, 3, 3, 3), corunners: kos }
  const ref = new Float64Array(12)
  predictRows(e, d, rows, idx, ref)
  for (let r = 0; r < 4; r++) {
    t.ok(Math.abs(a[r] - ref[r * 3]) < 1e-5 && Math.abs(b[r] - ref[r * 3 + 2]) < 1e-5, `candidate ${r}`)
    t.ok(Math.abs(a2[r] - ref[r * 3]) < 1e-5 && Math.abs(b2[r] - ref[r * 3 + 2]) < 1e-5, `candidate ${r} with magnitude tables`)
  }
})
