import t from 'tap'
import {
  Mlp, Linear, Rng, gelu, leakyRelu, relu, silu, tanh, identity, mse, pinball, zeroGrads, erf,
} from '../ml/index.js'
import { gradCheck } from './helpers/ml-grad-check.js'

const rows = 7
function setup(seed: number, act = gelu) {
  const rng = new Rng(seed)
  const mlp = new Mlp([5, 8, 6, 3], { activation: act, rng })
  // Non-zero biases: with zero biases a row whose ReLUs are all off sits exactly on a kink.
  for (const l of mlp.layers) rng.fillNormal(l.bias!.value, 0, 0.1)
  const x = rng.fillNormal(new Float32Array(rows * 5))
  const w = rng.fillNormal(new Float32Array(rows * 3))
  // Scalar objective Σ w·out: its gradient dOut = w exercises every output.
  const loss = () => { const y = mlp.forward(x, rows); let s = 0; for (let i = 0; i < y.length; i++) s += w[i] * y[i]; return s }
  return { mlp, x, w, loss }
}

// Kinked activations need a step small enough not to cross a kink, hence a looser absolute floor.
for (const [act, h, atol] of [[gelu, 1e-2, 1e-3], [leakyRelu(0.1), 2e-3, 1e-2], [relu, 2e-3, 1e-2], [silu, 1e-2, 1e-3], [tanh, 1e-2, 1e-3], [identity, 1e-2, 1e-3]] as const) {
  t.test(`Mlp gradients match finite differences (${act.kind}, tol 2e-2 rel, floor ${atol})`, async (t) => {
    const { mlp, w, loss } = setup(11, act)
    loss()
    zeroGrads(mlp.params())
    mlp.backward(w)
    const r = gradCheck(loss, mlp.params(), { h, atol })
    t.ok(r.worst < 2e-2, `worst relative error ${r.worst} over ${r.checked} entries`)
  })
}

t.test('input gradient matches finite differences', async (t) => {
  const { mlp, x, w, loss } = setup(5)
  loss()
  const dx = Float32Array.from(mlp.backward(w)!)
  const h = 1e-2
  for (const i of [0, 9, 17, 34]) {
    const v = x[i]
    x[i] = v + h; const up = loss(); x[i] = v - h; const down = loss(); x[i] = v
    t.ok(Math.abs((up - down) / (2 * h) - dx[i]) < 2e-2 * (1e-3 + Math.abs(dx[i])), `dx[${i}]`)
  }
})

t.test('gradients accumulate across backward calls', async (t) => {
  const { mlp, w, loss } = setup(2)
  loss(); zeroGrads(mlp.params()); mlp.backward(w)
  const once = Float32Array.from(mlp.layers[0].weight.grad)
  loss(); mlp.backward(w)
  const twice = mlp.layers[0].weight.grad
  for (let i = 0; i < once.length; i++) t.ok(Math.abs(twice[i] - 2 * once[i]) < 1e-5) || t.bailout()
})

t.test('Linear computes x·W + b', async (t) => {
  const l = new Linear(2, 2)
  l.weight.value.set([1, 2, 3, 4]); l.bias!.value.set([10, 20])
  t.same(Array.from(l.forward(new Float32Array([1, 1, 0, 2]), 2)), [14, 26, 16, 28])
  t.throws(() => l.forward(new Float32Array(3), 2), { code: 'EM_INVALID_INPUT' })
  t.throws(() => new Linear(2, 2).backward(new Float32Array(2)), /before forward/)
})

t.test('erf matches reference values to 2e-7', async (t) => {
  const ref: [number, number][] = [[0, 0], [0.5, 0.5204998778], [1, 0.8427007929], [2, 0.9953222650], [-1.5, -0.9661051465]]
  for (const [x, v] of ref) t.ok(Math.abs(erf(x) - v) < 2e-7, `erf(${x})`)
})

t.test('losses and their gradients', async (t) => {
  const g = new Float32Array(2)
  t.equal(mse(new Float32Array([1, 3]), [0, 0], { grad: g }), 5)
  t.same(Array.from(g), [1, 3])
  // Two heads (0.1, 0.9); target above both predictions: loss = ξ·u.
  const pg = new Float32Array(2)
  const l = pinball(new Float32Array([0, 0]), [1], [0.1, 0.9], { grad: pg })
  t.ok(Math.abs(l - 0.5) < 1e-7)
  t.ok(Math.abs(pg[0] + 0.05) < 1e-7 && Math.abs(pg[1] + 0.45) < 1e-7)
  t.throws(() => pinball(new Float32Array(1), [1], [1.5]), { code: 'EM_INVALID_INPUT' })
  t.throws(() => mse(new Float32Array(1), [1, 2]), { code: 'EM_INVALID_INPUT' })
})

t.test('Mlp reuses its buffers when small and large batches alternate (alignment does this)', async (t) => {
  const { kernels, setKernels } = await import('../ml/kernels.js')
  const base = kernels()
  let allocated = 0
  setKernels({ ...base, alloc: (n: number) => { allocated += n; return base.alloc(n) } })
  t.teardown(() => setKernels(base))
  const rng = new Rng(3)
  const mlp = new Mlp([5, 8, 3], { activation: gelu, rng })
  const small = rng.fillNormal(new Float32Array(2 * 5)), large = rng.fillNormal(new Float32Array(500 * 5))
  const round = () => { mlp.forward(small, 2); mlp.forward(large, 500); mlp.backward(new Float32Array(500 * 3)) }
  round()
  const first = allocated
  for (let i = 0; i < 20; i++) round()
  t.equal(allocated, first, `no new buffers after the first round (${first} floats)`)
})
