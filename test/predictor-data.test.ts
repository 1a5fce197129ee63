import t from 'tap'
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadDataset, loadObservations, loadEntities } from '../predictor/data.js'
import { fitBaseline } from '../predictor/baseline.js'
import { writeSynth } from './helpers/predictor-synth.js'
import { tempDir } from './helpers/temp-dir.js'

t.test('loads the synthetic dataset into pools by arity, in log space', async (t) => {
  const s = writeSynth({ platforms: 5, workloads: 6, isolated: 20, paired: 30 }, tempDir(t, 'pitot-synth-'))
  const ds = loadDataset(s.dir)
  t.equal(ds.platforms.count, 5)
  t.equal(ds.platforms.dim, 4)
  t.equal(ds.workloads.dim, 5, 'name and suite columns are labels, not features')
  t.equal(ds.workloads.names[3], 'work-3')
  t.equal(ds.pools.length, 2)
  t.equal(ds.pools[0].logT.length, 20)
  t.equal(ds.pools[1].arity, 1)
  t.ok(Math.abs(ds.pools[1].logT[0] - s.truth(ds.pools[1].platform[0], ds.pools[1].workload[0], [ds.pools[1].corunners[0]])) < 0.2)
})

t.test('bad input fails with clear errors', async (t) => {
  const dir = tempDir(t, 'pitot-bad-')
  const f = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name) }
  t.throws(() => loadObservations(f('a.csv', 'platform_idx,workload_idx,t\n0,7,10\n'), 2, 3), { code: 'EM_INVALID_INPUT', message: /unknown workload_idx 7/ })
  t.throws(() => loadObservations(f('b.csv', 'platform_idx,workload_idx,interference0_idx,t\n0,1,-1,10\n'), 2, 3), { message: /unknown interference0_idx -1/ })
  t.throws(() => loadObservations(f('c.csv', 'platform_idx,workload_idx,t\n0,1\n'), 2, 3), { message: /malformed CSV|fields/ })
  t.throws(() => loadObservations(f('d.csv', 'platform_idx,workload_idx,t\n0,1,abc\n'), 2, 3), { message: /not a number/ })
  t.throws(() => loadObservations(f('e.csv', 'platform_idx,workload_idx,t\n0,1,0\n'), 2, 3), { message: /must be > 0/ })
  t.throws(() => loadObservations(f('f.csv', 'platform_idx,t\n0,1\n'), 2, 3), { message: /no 'workload_idx' column/ })
  t.throws(() => loadObservations(f('g.csv', 'platform_idx,workload_idx,t\n0,"1,2\n'), 2, 3), { message: /malformed CSV/ })
  t.throws(() => loadEntities(f('p.csv', 'platform_idx,platform,x\n0,a,1\n0,b,2\n'), 'platform'), { message: /not a unique index/ })
  t.throws(() => loadEntities(join(dir, 'missing.csv'), 'platform'), { code: 'EM_NOT_FOUND' })
  const empty = join(dir, 'empty'); mkdirSync(empty)
  f('empty/platforms.csv', 'platform_idx,x\n0,1\n'); f('empty/workloads.csv', 'workload_idx,x\n0,1\n')
  t.throws(() => loadDataset(empty), { message: /no observation files/ })
})

t.test('baseline: alternating means over observed cells recover an additive matrix', async (t) => {
  // 4 platforms × 5 workloads, one cell missing per row: the additive model is still identified.
  const bx = [0, 1, -0.5, 2], by = [3, 4, 5, 6, 7]
  const p: number[] = [], w: number[] = [], y: number[] = []
  for (let j = 0; j < 4; j++) for (let i = 0; i < 5; i++) if (i !== j) { p.push(j); w.push(i); y.push(bx[j] + by[i]) }
  const b = fitBaseline({ arity: 0, platform: Int32Array.from(p), workload: Int32Array.from(w), corunners: new Int32Array(0), logT: Float64Array.from(y) }, 5, 5)
  for (let j = 0; j < 4; j++) for (let i = 0; i < 5; i++) t.ok(Math.abs(b.platform[j] + b.workload[i] - bx[j] - by[i]) < 1e-3, `cell ${j},${i}`)
  t.ok(Number.isFinite(b.platform[4]), 'an unobserved platform gets a finite neutral value, not NaN')
})
