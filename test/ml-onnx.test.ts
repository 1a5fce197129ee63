// ONNX parity: exported graphs run in onnxruntime (node and web) and equal the TS forward within
// 1e-4; ORT-compiled training yields the TS backward's gradients.
import t from 'tap'
import { join } from 'node:path'
import {
  GraphBuilder, Mlp, Rng, compileMlp, compileMlps, createSession, exportMlp, gelu, identity, leakyRelu, relu, silu, tanh, zeroGrads,
  attr,
} from '../ml/index.js'
import { tempDir } from './helpers/temp-dir.js'

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]))
  return d
}
const dir = tempDir(t, 'ml-onnx-')

for (const prefer of ['node', 'web'] as const) {
  for (const act of [gelu, leakyRelu(0.1), relu, silu, tanh]) {
    t.test(`exported Mlp (${act.kind}) on onnxruntime-${prefer} equals the TS forward (tol 1e-4)`, async (t) => {
      const rng = new Rng(3)
      const mlp = new Mlp([12, 32, 32, 5], { name: 'net', activation: act, outputActivation: act === tanh ? tanh : identity, rng })
      const g = new GraphBuilder('net')
      g.output(exportMlp(g, mlp, g.input('x', ['batch', 12])).output, 'y', ['batch', 5])
      const file = join(dir, `net-${act.kind}.onnx`)
      g.save(file)
      const s = await createSession(file, { prefer })
      t.equal(s.backend, `onnxruntime-${prefer}`)
      const rows = 33
      const x = rng.fillNormal(new Float32Array(rows * 12), 0, 2)
      const { y } = await s.run({ x: { data: x, dims: [rows, 12] } })
      t.same(y.dims, [rows, 5])
      t.ok(maxDiff(y.data as Float32Array, mlp.forward(x, rows)) < 1e-4, `max diff ${maxDiff(y.data as Float32Array, mlp.forward(x, rows))}`)
      await s.release()
    })
  }
}

t.test('3-D inputs (tokens) export through MatMul broadcasting', async (t) => {
  const mlp = new Mlp([4, 8, 3], { activation: gelu, rng: new Rng(1) })
  const g = new GraphBuilder()
  g.output(exportMlp(g, mlp, g.input('x', ['b', 'tok', 4])).output, 'y')
  const s = await createSession(g.toBytes())
  const x = new Rng(2).fillNormal(new Float32Array(2 * 5 * 4))
  const { y } = await s.run({ x: { data: x, dims: [2, 5, 4] } })
  t.same(y.dims, [2, 5, 3])
  t.ok(maxDiff(y.data as Float32Array, mlp.forward(x, 10)) < 1e-4)
})

for (const act of [gelu, leakyRelu(0.1), silu, tanh]) {
  t.test(`compileMlp (${act.kind}) gradients equal the TS backward (tol 1e-4 rel)`, async (t) => {
    const rng = new Rng(8)
    const mlp = new Mlp([10, 16, 16, 6], { activation: act, outputActivation: act === tanh ? tanh : identity, rng })
    const rows = 21
    const x = rng.fillNormal(new Float32Array(rows * 10))
    const dy = rng.fillNormal(new Float32Array(rows * 6))
    const fast = await compileMlp(mlp, { inputGrad: true })
    t.equal(fast.backend, 'onnxruntime-node')
    const yFast = await fast.forward(x, rows)
    const params = mlp.params()
    zeroGrads(params)
    const dxFast = Float32Array.from((await fast.backward(dy))!)
    const gFast = params.map((p) => Float32Array.from(p.grad))
    zeroGrads(params)
    t.ok(maxDiff(yFast, mlp.forward(x, rows)) < 1e-4, 'forward')
    const dx = mlp.backward(dy)!
    const scale = (a: Float32Array) => 1e-4 * Math.max(1, ...Array.from(a, Math.abs))
    t.ok(maxDiff(dxFast, dx) < scale(dx), 'dx')
    params.forEach((p, i) => t.ok(maxDiff(gFast[i], p.grad) < scale(p.grad), `grad ${p.name}: ${maxDiff(gFast[i], p.grad)}`))
    await fast.release()
  })
}

t.test('builder and session errors are clear', async (t) => {
  const g = new GraphBuilder('bad')
  g.input('x', [1])
  t.throws(() => g.input('x', [1]), /defined twice/)
  t.throws(() => g.op('Relu', ['nope']), /unknown input 'nope'/)
  t.throws(() => g.toBytes(), /no outputs/)
  t.throws(() => g.initializer('w', [1, 2, 3], [2]), /3 values for shape/)
  g.output(g.op('LeakyRelu', ['x'], { alpha: attr.float(0.2) }), 'y')
  t.ok(g.toBytes().length > 0)
  await t.rejects(createSession(join(dir, 'missing.onnx')), { code: 'EM_INVALID_INPUT' })
  await t.rejects(createSession(new Uint8Array([1, 2, 3])), { code: 'EM_INVALID_INPUT' })
})

t.test('custom ops through the builder: gathers + row-wise dot products (Pitot-style head)', async (t) => {
  const rng = new Rng(5)
  const [nw, np, r, batch] = [6, 4, 3, 5]
  const W = rng.fillNormal(new Float32Array(nw * r)), P = rng.fillNormal(new Float32Array(np * r))
  const wi = [0, 5, 2, 2, 1], pi = [3, 0, 1, 3, 2]
  const g = new GraphBuilder('dots')
  const w = g.input('w_emb', [nw, r]), p = g.initializer('p_emb', P, [np, r])
  const iw = g.input('wi', ['batch'], 'int64'), ip = g.input('pi', ['batch'], 'int64')
  const prod = g.op('Mul', [g.op('Gather', [w, iw], { axis: attr.int(0) }), g.op('Gather', [p, ip], { axis: attr.int(0) })])
  g.output(g.op('ReduceSum', [prod, g.constant([1], [1], 'int64')], { keepdims: attr.int(0) }), 'yhat', ['batch'])
  const s = await createSession(g.toBytes({ metadata: { r: String(r) } }))
  const { yhat } = await s.run({
    w_emb: { data: W, dims: [nw, r] },
    wi: { data: BigInt64Array.from(wi, BigInt), dims: [batch] }, pi: { data: BigInt64Array.from(pi, BigInt), dims: [batch] },
  })
  const ref = wi.map((a, b) => { let d = 0; for (let j = 0; j < r; j++) d += W[a * r + j] * P[pi[b] * r + j]; return d })
  t.ok(maxDiff(yhat.data as Float32Array, ref) < 1e-5)
})

t.test('compileMlps trains two towers of different batch sizes in one graph pair', async (t) => {
  const rng = new Rng(12)
  const a = new Mlp([7, 16, 9], { name: 'a', activation: gelu, rng })
  const b = new Mlp([5, 8, 8, 4], { name: 'b', activation: leakyRelu(0.1), rng })
  const [xa, xb] = [rng.fillNormal(new Float32Array(11 * 7)), rng.fillNormal(new Float32Array(6 * 5))]
  const [da, db] = [rng.fillNormal(new Float32Array(11 * 9)), rng.fillNormal(new Float32Array(6 * 4))]
  const c = await compileMlps([a, b], { inputGrad: [false, true] })
  const [ya, yb] = await c.forward([{ x: xa, rows: 11 }, { x: xb, rows: 6 }])
  const params = [...a.params(), ...b.params()]
  zeroGrads(params)
  const [dxa, dxb] = await c.backward([da, db])
  t.equal(dxa, undefined)
  const fast = params.map((p) => Float32Array.from(p.grad))
  zeroGrads(params)
  t.ok(maxDiff(ya, a.forward(xa, 11)) < 1e-4 && maxDiff(yb, b.forward(xb, 6)) < 1e-4, 'forward')
  a.backward(da)
  t.ok(maxDiff(dxb!, b.backward(db)!) < 1e-4, 'dx of b')
  params.forEach((p, i) => t.ok(maxDiff(fast[i], p.grad) < 1e-4 * Math.max(1, ...Array.from(p.grad, Math.abs)), p.name))
  await t.rejects(compileMlps([new Mlp([2, 2]), new Mlp([2, 2])]), /names repeat/)
  await t.rejects(c.forward([{ x: xa, rows: 11 }]), /1 batches for 2 MLPs/)
  await c.release()
})

t.test('inputGradFrom: only trailing input columns get a gradient (TS and ORT agree with the full dx)', async (t) => {
  const rng = new Rng(21)
  const mlp = new Mlp([9, 12, 5], { name: 'q', activation: gelu, rng })
  const x = rng.fillNormal(new Float32Array(4 * 9)), dy = rng.fillNormal(new Float32Array(4 * 5))
  mlp.forward(x, 4)
  const full = Float32Array.from(mlp.backward(dy)!)
  mlp.forward(x, 4)
  const tail = Float32Array.from(mlp.backward(dy, { inputGradFrom: 7 })!)
  t.equal(tail.length, 4 * 2)
  const want = Array.from({ length: 8 }, (_, i) => full[Math.floor(i / 2) * 9 + 7 + (i % 2)])
  t.ok(maxDiff(tail, want) < 1e-6)
  const c = await compileMlp(mlp, { inputGrad: true, inputGradFrom: 7 })
  await c.forward(x, 4)
  t.ok(maxDiff((await c.backward(dy))!, want) < 1e-5)
  t.throws(() => mlp.backward(dy, { inputGradFrom: 9 }), { code: 'EM_INVALID_INPUT' })
  await t.rejects(compileMlp(mlp, { inputGrad: true, inputGradFrom: -1 }), { code: 'EM_INVALID_INPUT' })
})

t.test('output() renames a node output in place (no Identity copy) and later uses follow', async (t) => {
  const g = new GraphBuilder()
  const x = g.input('x', [2])
  const r = g.op('Relu', [x])
  t.equal(g.output(r, 'first'), 'first')
  const n = g.op('Neg', [r]) // uses the old name: resolved to 'first'
  g.output(n, 'second')
  g.output(x, 'copy') // a graph input needs an Identity
  const s = await createSession(g.toBytes())
  const out = await s.run({ x: { data: new Float32Array([-1, 2]), dims: [2] } })
  t.same(Array.from(out.first.data as Float32Array), [0, 2])
  t.same(Array.from(out.second.data as Float32Array), [-0, -2])
  t.same(Array.from(out.copy.data as Float32Array), [-1, 2])
  t.throws(() => g.output(n, 'x'), /defined twice/)
})

t.test('the same training on JS, WASM and ORT follows the same loss curve (tol 1e-3 rel)', async (t) => {
  const { lossCurve } = await import('../bench/ml-curves.js')
  const [js, wasm, ort] = [await lossCurve('js', 60), await lossCurve('wasm', 60), await lossCurve('ort', 60)]
  t.ok(js[59] < js[0] / 5, `the loss falls: ${js[0]} -> ${js[59]}`)
  for (const [name, c] of [['wasm', wasm], ['ort', ort]] as const) {
    t.ok(c.every((v, i) => Math.abs(v - js[i]) <= 1e-3 * js[i]), `${name} tracks js`)
  }
  const { useBackend } = await import('../ml/index.js')
  useBackend('wasm')
})
