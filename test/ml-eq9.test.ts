// The WASM Eq. 9 kernel must agree with the JS reference (outputs, the backward record z and
// every gradient table, within 1e-5 of the reference's largest magnitude) on random tables and
// rows: ranks with and without a SIMD tail, every arity the data has and more, repeated
// co-runners and a workload co-running with itself, arena and foreign buffers.
import t from 'tap'
import { createWasmKernels, eq9PlatformWidth, eq9RecordSize, jsKernels, Rng, type Eq9Dims, type Eq9Rows, type Eq9Tables, type Kernels } from '../ml/index.js'

const wasm = createWasmKernels({ arenaMiB: 32 })
const rng = new Rng(11)
const TOL = 1e-5

/** max |a − b| relative to max |b| (the reference). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0
  for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])) }
  return d / Math.max(m, 1e-30)
}

function buf(k: Kernels, n: number, fill: (v: Float32Array) => void): Float32Array {
  const v = k.alloc(n)
  fill(v)
  return v
}

function problem(d: Eq9Dims, workloads: number, platforms: number, n: number, arity: number) {
  const tables: Eq9Tables = {
    work: rng.fillNormal(new Float32Array(workloads * d.heads * d.rank), 0, 0.5),
    plat: rng.fillNormal(new Float32Array(platforms * eq9PlatformWidth(d)), 0, 0.5),
    bx: rng.fillNormal(new Float32Array(platforms)), by: rng.fillNormal(new Float32Array(workloads)),
  }
  const rows: Eq9Rows = {
    arity, workload: Int32Array.from({ length: n }, () => rng.int(workloads)),
    platform: Int32Array.from({ length: n }, () => rng.int(platforms)),
    corunners: Int32Array.from({ length: n * arity }, () => rng.int(workloads)),
  }
  // Aliasing cases: a workload beside itself, and (arity ≥ 2) the same co-runner twice.
  if (arity > 0) rows.corunners[0] = rows.workload[0]
  if (arity > 1) rows.corunners[arity + 1] = rows.corunners[arity]
  const dy = rng.fillNormal(new Float32Array(n * d.heads))
  for (let i = 0; i < dy.length; i += 7) dy[i] = 0 // pinball gradients are never 0, but masked rows are
  return { tables, rows, dy }
}

/** Copies `e` into `k`'s buffers (arena for WASM) or keeps the foreign arrays. */
function place(k: Kernels, e: Eq9Tables, arena: boolean): Eq9Tables {
  if (!arena) return e
  const c = (a: Float32Array) => buf(k, a.length, (v) => v.set(a))
  return { work: c(e.work), plat: c(e.plat), bx: c(e.bx), by: c(e.by) }
}

const cases: [string, Eq9Dims, number][] = [
  ['Pitot shape, isolated', { heads: 8, rank: 32, types: 2, slope: 0.1 }, 0],
  ['Pitot shape, 1 co-runner', { heads: 8, rank: 32, types: 2, slope: 0.1 }, 1],
  ['Pitot shape, 3 co-runners', { heads: 8, rank: 32, types: 2, slope: 0.1 }, 3],
  ['rank 6 (SIMD tail), 3 types, 2 co-runners', { heads: 3, rank: 6, types: 3, slope: 0.2 }, 2],
  ['rank 3 (tail only), 1 type, 1 co-runner', { heads: 2, rank: 3, types: 1, slope: 0.1 }, 1],
  ['no interference types, 1 co-runner', { heads: 4, rank: 8, types: 0, slope: 0.1 }, 1],
]

for (const [name, d, arity] of cases) {
  t.test(`WASM Eq. 9 equals the JS reference: ${name}`, async (t) => {
    const n = 257, { tables, rows, dy } = problem(d, 29, 13, n, arity)
    const zn = eq9RecordSize(d, n)
    const ref = { out: new Float32Array(n * d.heads), z: new Float32Array(zn) }
    jsKernels.eq9Forward(tables, d, rows, ref.out, ref.z)
    const copy = (e: Eq9Tables, f: (v: number) => number = (v) => v) =>
      ({ work: e.work.map(f), plat: e.plat.map(f), bx: e.bx.map(f), by: e.by.map(f) })
    const start = copy(tables, () => rng.normal(0, 1)) // gradients accumulate into what is there
    const gj = copy(start)
    jsKernels.eq9Backward(tables, d, rows, dy, ref.z, gj)
    // The magnitudes the backward pass saw must be the forward's (otherwise the test is vacuous).
    if (zn > 0 && arity > 0) t.ok(ref.z.some((v) => v !== 0), 'the record is filled')
    for (const arena of [true, false]) {
      const e = place(wasm, tables, arena)
      const out = arena ? wasm.alloc(n * d.heads) : new Float32Array(n * d.heads)
      const z = arena ? wasm.alloc(zn) : new Float32Array(zn)
      wasm.eq9Forward(e, d, rows, out, z)
      t.ok(relDiff(out, ref.out) <= TOL, `forward, arena=${arena}: ${relDiff(out, ref.out).toExponential(2)}`)
      if (zn > 0) t.ok(relDiff(z, ref.z) <= TOL, `record z, arena=${arena}: ${relDiff(z, ref.z).toExponential(2)}`)
      const gw = place(wasm, copy(start), arena)
      wasm.eq9Backward(e, d, rows, dy, ref.z, gw)
      for (const key of ['work', 'plat', 'bx', 'by'] as const) {
        // Compare the accumulated increments, not start + increment (start would hide errors).
        const inc = (g: Eq9Tables) => g[key].map((v, i) => v - start[key][i])
        const r = relDiff(inc(gw), inc(gj))
        t.ok(r <= TOL, `gradient ${key}, arena=${arena}: ${r.toExponential(2)}`)
      }
    }
  })
}

t.test('one head, float64 output: same as the full forward on both backends', async (t) => {
  const d = { heads: 8, rank: 32, types: 2, slope: 0.1 }, n = 50
  const { tables, rows } = problem(d, 20, 9, n, 2)
  const full = new Float32Array(n * d.heads)
  jsKernels.eq9Forward(tables, d, rows, full)
  for (const k of [jsKernels, wasm]) {
    const one = new Float64Array(n)
    k.eq9Forward(tables, d, rows, one, undefined, 5, 6)
    t.ok(relDiff(one, full.filter((_, i) => i % d.heads === 5)) <= TOL, `${k.name}`)
  }
})

t.test('bad input is rejected before the kernel runs', async (t) => {
  const d = { heads: 2, rank: 4, types: 1, slope: 0.1 }
  const { tables, rows, dy } = problem(d, 5, 3, 4, 1)
  const out = new Float32Array(8), z = new Float32Array(eq9RecordSize(d, 4))
  for (const k of [jsKernels, wasm]) {
    const bad = (r: Partial<Eq9Rows>) => ({ ...rows, ...r })
    t.throws(() => k.eq9Forward(tables, d, bad({ platform: Int32Array.of(0, 1, 3, 0) }), out), { code: 'EM_INVALID_INPUT', message: /platform index 3/ }, `${k.name}: platform out of range`)
    t.throws(() => k.eq9Forward(tables, d, bad({ corunners: Int32Array.of(0, -1, 2, 2) }), out), { code: 'EM_INVALID_INPUT', message: /co-runner index -1/ }, `${k.name}: co-runner out of range`)
    t.throws(() => k.eq9Forward(tables, d, rows, new Float32Array(7)), { code: 'EM_INVALID_INPUT' }, `${k.name}: short output`)
    t.throws(() => k.eq9Forward(tables, d, rows, new Float32Array(4), z, 1, 2), { code: 'EM_INVALID_INPUT', message: /every head/ }, `${k.name}: record with one head`)
    t.throws(() => k.eq9Backward(tables, d, rows, dy, z, { ...tables, plat: new Float32Array(2) }), { code: 'EM_INVALID_INPUT', message: /platform gradient/ }, `${k.name}: short gradient table`)
  }
})
