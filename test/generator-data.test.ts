import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Rng } from '../ml/rng.js'
import { makeSpace } from '../generator/collect.js'
import { openDataset } from '../generator/dataset.js'
import { toComposition } from '../generator/device.js'
import { calibrateSingle, forwardModel, neighbourPolicies, pickClosest, singlePolicy } from '../generator/baselines.js'
import { fitRanges } from '../generator/normalise.js'
import { compDim, project, randomComposition, summarise } from '../generator/space.js'
import { fillGaps, parseTarget, readTarget, targetFiles } from '../generator/target.js'
import { DEFAULT_METRICS, DEFAULT_STRESSORS, type Sample } from '../generator/types.js'
import { tempDir } from './helpers/temp-dir.js'

const space = makeSpace(DEFAULT_STRESSORS, 2, 250)
const M = [...DEFAULT_METRICS]

t.test('random compositions are valid and replayable; projection repairs any window', async (t) => {
  const oneKind = makeSpace(DEFAULT_STRESSORS, 2, 250, 'replay', false)
  // Per thread of a window: its CPU/memory and its disk totals.
  const groups = (sp: typeof space, a: Float32Array, k: number) => {
    let cpu = 0; let disk = 0
    sp.stressors.forEach((_, m) => { const v = a[m * 2 + k]!; if (sp.disk[m]) disk += v; else cpu += v })
    return { cpu, disk }
  }
  for (const sp of [space, oneKind]) {
    const name = sp.mixedThreads ? 'mixed threads' : 'one kind per thread'
    const rng = new Rng(1)
    const windows = Array.from({ length: 200 }, () => randomComposition(sp, rng))
    const comp = toComposition(sp, windows)
    t.equal(comp.windows.length, 200)
    t.equal(comp.windows[0]!.length, 8)
    const busy = windows.map((w) => summarise(sp, w)[0]!)
    t.ok(Math.min(...busy) === 0 && Math.max(...busy) > 0.9, `${name}: idle and near-full threads both occur`)
    const both = windows.flatMap((w) => [0, 1].map((k) => groups(sp, w, k))).filter((g) => g.cpu > 0 && g.disk > 0)
    if (sp.mixedThreads) t.ok(both.length > 40 && both.every((g) => g.cpu + g.disk <= 1 + 1e-6), `${name}: ${both.length} of 400 threads compute and do I/O, within the window`)
    else t.equal(both.length, 0, `${name}: no thread computes and does I/O`)
    const bad = Float32Array.from({ length: compDim(sp) }, (_, i) => (i % 3) - 0.5 + i / 8)
    project(sp, bad)
    for (let k = 0; k < 2; k++) {
      const { cpu, disk } = groups(sp, bad, k)
      t.ok(bad.every((v) => v >= 0 && v <= 1) && cpu + disk <= 1 + 1e-6, `${name}: thread ${k} sums to ${cpu + disk}`)
      if (sp.mixedThreads) t.ok(cpu > 0 && disk > 0, `${name}: projection keeps both groups`)
      else t.ok(cpu === 0 || disk === 0, `${name}: projection keeps the larger group only`)
    }
    t.doesNotThrow(() => toComposition(sp, [bad]))
  }
  t.throws(() => makeSpace(['no-such-stressor'], 2, 250), /unknown stressor/)
})

t.test('dataset appends, resumes after a torn line, refuses another space', async (t) => {
  const dir = tempDir(t, 'gen-ds-')
  const ds = openDataset(dir, { version: 1, space, strategy: 'random' })
  const s: Sample = { prev: new Float32Array(16), comp: randomComposition(space, new Rng(2)), obs: Float32Array.from([10, 20, 3e6, 0]) }
  ds.append(s, 0)
  ds.append({ ...s, prev: s.comp }, 0)
  appendFileSync(join(dir, 'samples.jsonl'), '{"prev":[0,0')
  const again = openDataset(dir)
  t.equal(again.samples.length, 2)
  t.same(Array.from(again.samples[1]!.prev), Array.from(s.comp).map((v) => Math.fround(v)))
  t.ok(readFileSync(join(dir, 'samples.jsonl'), 'utf8').endsWith('\n'), 'torn line dropped')
  t.throws(() => openDataset(dir, { version: 1, space: { ...space, threads: 4 }, strategy: 'random' }), /different space/)
  // A dataset from before thread mixing existed: its space has no mixedThreads and means one kind.
  const old = tempDir(t, 'gen-ds-old-')
  const { mixedThreads: _, ...oldSpace } = makeSpace(DEFAULT_STRESSORS, 2, 250, 'replay', false)
  writeFileSync(join(old, 'meta.json'), JSON.stringify({ version: 1, space: oldSpace, strategy: 'random' }))
  t.doesNotThrow(() => openDataset(old, { version: 1, space: makeSpace(DEFAULT_STRESSORS, 2, 250, 'replay', false), strategy: 'random' }), 'resumed one kind per thread')
  t.throws(() => openDataset(old, { version: 1, space, strategy: 'random' }), /one kind of stressor per window: resume it with --one-kind-per-thread/)
  writeFileSync(join(dir, 'samples.jsonl'), '{"prev":[2],"comp":[],"obs":[]}\n')
  t.throws(() => openDataset(dir), /prev: 1 fractions, expected 16/)
  t.throws(() => openDataset(join(dir, 'nothing')), /no dataset/)
})

t.test('target reader tolerates holes and refuses broken traces', async (t) => {
  const csv = 'time_s,cpu_util_0,cpu_util_1,disk_read_bytes_per_s,disk_write_bytes_per_s\n1,10,0,0,0\n2,,0,0,0\n4,40,0,100,0\n'
  const tg = parseTarget(csv, M)
  t.equal(tg.rows.length, 4, 'the dropped row at t=3 comes back as NaN')
  t.ok(Number.isNaN(tg.rows[1]![0]!) && Number.isNaN(tg.rows[2]![2]!))
  const filled = fillGaps(tg)
  t.same(Array.from(filled.rows.map((r) => r[0]!)), [10, 20, 30, 40])
  const noDisk = parseTarget('time_s,cpu_util_0,cpu_util_1\n1,5,5\n2,6,6\n', M)
  t.ok(Number.isNaN(fillGaps(noDisk).rows[0]![2]!), 'an absent metric stays missing')
  t.throws(() => parseTarget('a,b\n1,2\n', M), /no time_s/)
  t.throws(() => parseTarget('time_s,foo\n1,2\n', M), /none of the metrics/)
  t.throws(() => parseTarget('time_s,cpu_util_0\n1,abc\n', M), /not a number/)
  t.throws(() => parseTarget('time_s,cpu_util_0\n2,1\n1,1\n', M), /does not increase/)
  t.throws(() => parseTarget('time_s,cpu_util_0\n1,-4\n', M), /negative/)
  t.throws(() => parseTarget('time_s,cpu_util_0\n', M), /at least one data row/)
})

t.test('a traces folder lists its CSVs in order; a missing or CSV-less folder is refused', async (t) => {
  const dir = tempDir(t, 'em-traces-')
  for (const f of ['b.csv', 'a.csv', 'notes.md']) writeFileSync(join(dir, f), '')
  t.same(targetFiles(dir), ['a.csv', 'b.csv'])
  t.throws(() => targetFiles(join(dir, 'missing')), { name: 'NotFoundError', message: /cannot read the traces folder/ })
  const empty = tempDir(t, 'em-traces-')
  t.throws(() => targetFiles(empty), { name: 'InvalidInputError', message: /no \.csv traces in/ })
})

t.test('the held-out traces (bench/traces) are complete targets of finished workloads', async (t) => {
  const dir = fileURLToPath(new URL('../bench/traces', import.meta.url))
  const files = targetFiles(dir)
  t.equal(files.length, 6)
  for (const f of files) {
    const tg = readTarget(join(dir, f), M)
    t.ok(Math.abs(tg.periodS - 1) < 0.01, `${f}: 1 s period, as the shared traces`)
    t.ok(tg.rows.length >= 30, `${f}: ${tg.rows.length} rows`)
    t.ok(tg.rows.every((r) => r.every(Number.isFinite)), `${f}: no missing sample`)
    const meta = JSON.parse(readFileSync(join(dir, f.replace(/\.csv$/, '.meta.json')), 'utf8'))
    t.equal(meta.notes.exitCode, 0, `${f}: the recorded workload ran to its end`)
  }
})

t.test('baselines: search returns the nearest composition, interpolate blends, single calibrates', async (t) => {
  const rng = new Rng(4)
  const samples: Sample[] = Array.from({ length: 50 }, () => {
    const comp = randomComposition(space, rng)
    const b = summarise(space, comp)
    return { prev: new Float32Array(16), comp, obs: Float32Array.from([100 * b[0]!, 100 * b[1]!, 0, 0]) }
  })
  const ranges = fitRanges(M, samples.map((s) => s.obs))
  const { search, interpolate } = neighbourPolicies(space, ranges, samples)
  const target = Float32Array.from(samples[7]!.obs, (v, n) => (v - ranges.min[n]!) / (ranges.max[n]! - ranges.min[n]!))
  t.same(Array.from(search(target)), Array.from(samples[7]!.comp))
  const blend = interpolate(target)
  t.equal(blend.length, 16)
  const single = singlePolicy(space, calibrateSingle(space, ranges, samples))(Float32Array.from([1, 0, NaN, NaN]))
  t.ok(single[0]! > 0.8 && single[1]! < 0.2, `calibrated: ${single[0]}, ${single[1]}`)
  t.throws(() => neighbourPolicies(space, ranges, []), /non-empty dataset/)
  // Best-of-n: the nearest-neighbour forward model picks the candidate whose trace fits.
  const predict = forwardModel(space, ranges, samples, 1)
  const picked = pickClosest([samples[3]!.comp, samples[7]!.comp], predict, target)
  t.same(Array.from(picked), Array.from(samples[7]!.comp))
})
