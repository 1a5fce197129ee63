import t from 'tap'
import { join } from 'node:path'
import { Adam, AdamW, Adamax, Mlp, Rng, gelu, mse, saveParams, loadParams, readTensors, createParam } from '../ml/index.js'
import { tempDir } from './helpers/temp-dir.js'

for (const Opt of [Adam, AdamW, Adamax]) {
  t.test(`${Opt.name} fits a smooth function (loss falls 20x)`, async (t) => {
    const rng = new Rng(4)
    const mlp = new Mlp([1, 16, 16, 1], { activation: gelu, rng })
    const n = 64
    const x = Float32Array.from({ length: n }, (_, i) => -2 + (4 * i) / (n - 1))
    const y = Array.from(x, (v) => Math.sin(2 * v))
    const opt = new Opt(mlp.params(), { lr: 1e-2, weightDecay: 1e-5 })
    const grad = new Float32Array(n)
    const first = mse(mlp.forward(x, n), y)
    let last = first
    for (let s = 0; s < 1500; s++) {
      opt.zeroGrad()
      last = mse(mlp.forward(x, n), y, { grad })
      mlp.backward(grad, { inputGrad: false })
      opt.step()
    }
    t.ok(last < first / 20, `${first} -> ${last}`)
  })
}

t.test('decoupled weight decay shrinks weights with zero gradient', async (t) => {
  const p = createParam('p', [4]); p.value.fill(1)
  const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 })
  opt.step()
  t.ok(Math.abs(p.value[0] - 0.95) < 1e-6)
  t.throws(() => new Adam([p], { lr: -1 }), { code: 'EM_INVALID_INPUT' })
})

t.test('safetensors round trip and mismatch errors', async (t) => {
  const dir = tempDir(t, 'ml-')
  const a = new Mlp([3, 4, 2], { name: 'm', rng: new Rng(1) })
  const b = new Mlp([3, 4, 2], { name: 'm', rng: new Rng(2) })
  const file = join(dir, 'p.safetensors')
  saveParams(file, a.params(), { note: 'hi' })
  t.same(loadParams(file, b.params()), { note: 'hi' })
  t.same(Array.from(b.layers[0].weight.value), Array.from(a.layers[0].weight.value))
  t.equal(readTensors(file).tensors.get('m.1.bias')!.shape.join(), '2')
  t.throws(() => loadParams(file, new Mlp([3, 5, 2], { name: 'm' }).params()), /shape/)
  t.throws(() => loadParams(file, new Mlp([3, 4, 2], { name: 'x' }).params()), /no parameter/)
})

t.test('malformed parameter files are refused with clear errors', async (t) => {
  const dir = tempDir(t, 'ml-bad-')
  const { writeFileSync } = await import('node:fs')
  const short = join(dir, 'short'), badJson = join(dir, 'json'), badLen = join(dir, 'len')
  writeFileSync(short, Buffer.from([1, 2]))
  const head = Buffer.alloc(8); head.writeBigUInt64LE(4n); writeFileSync(badJson, Buffer.concat([head, Buffer.from('{{{{')]))
  const big = Buffer.alloc(8); big.writeBigUInt64LE(1000n); writeFileSync(badLen, Buffer.concat([big, Buffer.from('{}')]))
  for (const f of [short, badJson, badLen]) t.throws(() => readTensors(f), { code: 'EM_INVALID_INPUT' })
})
