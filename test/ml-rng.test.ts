import t from 'tap'
import { Rng } from '../ml/index.js'

t.test('same seed, same stream; different seeds differ', async (t) => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43)
  const xa = Array.from({ length: 5 }, () => a.nextU32())
  t.same(Array.from({ length: 5 }, () => b.nextU32()), xa)
  t.not(Array.from({ length: 5 }, () => c.nextU32()).join(), xa.join())
})

t.test('uniform and normal moments', async (t) => {
  const r = new Rng(1)
  const n = 200_000
  let su = 0, sn = 0, sn2 = 0, bad = 0
  for (let i = 0; i < n; i++) {
    const u = r.next()
    if (!(u >= 0 && u < 1)) bad++
    su += u
    const z = r.normal()
    sn += z; sn2 += z * z
  }
  t.equal(bad, 0, "uniform in [0, 1)")
  t.ok(Math.abs(su / n - 0.5) < 0.005, `uniform mean ${su / n}`)
  t.ok(Math.abs(sn / n) < 0.01, `normal mean ${sn / n}`)
  t.ok(Math.abs(sn2 / n - 1) < 0.02, `normal variance ${sn2 / n}`)
})

t.test('permutation is a permutation; int rejects bad n', async (t) => {
  const p = Array.from(new Rng(3).permutation(100)).sort((x, y) => x - y)
  t.same(p, Array.from({ length: 100 }, (_, i) => i))
  t.throws(() => new Rng(0).int(0), { code: 'EM_INVALID_INPUT' })
})
