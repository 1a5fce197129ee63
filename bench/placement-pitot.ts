/**
 * Placement on real measurements: the Pitot dataset's runtimes (231 platforms × 249 workloads,
 * isolated and beside one co-runner) split in half by the published protocol. A Pitot model
 * (PitotRuntimeModel over `predictor train` of the first half) and the built-in OnlineModel
 * (fed the same first half as observations) place jobs drawn from the second half: for a
 * workload, every (platform, co-runner) situation with a measured runtime in the held-out half
 * is a candidate device, and the job's deadline is drawn between the 20th and 40th percentile
 * of those true runtimes (most devices cannot meet it; the slow ones must be avoided). A
 * placement meets its deadline when the held-out runtime of the chosen situation does.
 * Prints, per pool and policy: jobs placed, deadline hits (of all jobs and of the placed; the
 * promise is ≥ 1 − ε of the placed) and the mean share of the deadline the chosen run used.
 * Run: npx tsx bench/placement-pitot.ts DATA_DIR [steps] [jobs] [seed]
 */
import { mkdtempSync, copyFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Rng } from '../ml/index.js'
import { loadDataset, loadPredictor, selectRows, splitRows, trainModel, type Observations } from '../predictor/index.js'
import { OnlineModel } from '../orchestrator/online-model.js'
import { PitotRuntimeModel } from '../orchestrator/pitot-model.js'
import { place } from '../orchestrator/placement.js'
import type { DeviceView, RuntimeModel } from '../orchestrator/types.js'

const DATA = process.argv[2] ?? '../shared/data/pitot'
const STEPS = Number(process.argv[3] ?? 1500)
const JOBS = Number(process.argv[4] ?? 2000)
const SEED = Number(process.argv[5] ?? 1)
const EPS = 0.1
const MIN_CANDIDATES = 8
const US_PER_MS = 1000

const ds = loadDataset(DATA)
const split = splitRows(ds.pools, 0.5, SEED)
const history = ds.pools.map((o, a) => selectRows(o, Int32Array.from([...split.train[a]!, ...split.val[a]!])))
const future = ds.pools.map((o, a) => selectRows(o, split.test[a]!))

/** The history half as a data directory in the dataset's own format, for `predictor train`. */
function writeHistory(dir: string): void {
  for (const f of ['platforms.csv', 'workloads.csv']) copyFileSync(join(DATA, f), join(dir, f))
  history.forEach((o, a) => {
    const head = ['platform_idx', 'workload_idx', ...Array.from({ length: a }, (_, k) => `interference${k}_idx`), 't']
    const lines = Array.from(o.logT, (y, r) => [o.platform[r], o.workload[r], ...o.corunners.subarray(r * a, (r + 1) * a), Math.exp(y)].join(','))
    writeFileSync(join(dir, a === 0 ? 'mf.csv' : `if${a + 1}.csv`), [head.join(','), ...lines].join('\n') + '\n')
  })
}

const pName = (p: number) => ds.platforms.names[p]!
const wName = (w: number) => ds.workloads.names[w]!

function onlineModel(): OnlineModel {
  const m = new OnlineModel()
  const rows = history.flatMap((o) => Array.from(o.logT, (y, r) => ({ o, y, r })))
  new Rng(SEED).shuffle(rows)
  m.observe(rows.map(({ o, y, r }) => ({
    platform: m.platformId(pName(o.platform[r]!)), workload: m.workloadId(wName(o.workload[r]!)),
    corunners: Array.from(o.corunners.subarray(r * o.arity, (r + 1) * o.arity), (k) => m.workloadId(wName(k))),
    runtimeMs: Math.exp(y) / US_PER_MS,
  })))
  return m
}

interface Situation { platform: number; corunners: number[]; truthMs: number }

/** Held-out situations per workload (platform + co-runners, with the measured runtime). */
function situations(o: Observations): Map<number, Situation[]> {
  const by = new Map<number, Situation[]>()
  for (let r = 0; r < o.logT.length; r++) {
    const w = o.workload[r]!
    let list = by.get(w)
    if (!list) by.set(w, (list = []))
    list.push({ platform: o.platform[r]!, corunners: Array.from(o.corunners.subarray(r * o.arity, (r + 1) * o.arity)), truthMs: Math.exp(o.logT[r]!) / US_PER_MS })
  }
  return by
}

interface Tally { placed: number; met: number; used: number }

function run(model: RuntimeModel | 'random', jobs: Array<{ w: number; cands: Situation[]; deadlineMs: number }>, rng: Rng): Tally {
  const t: Tally = { placed: 0, met: 0, used: 0 }
  for (const job of jobs) {
    let chosen: Situation | undefined
    if (model === 'random') chosen = job.cands[rng.int(job.cands.length)]
    else {
      const devices: DeviceView[] = job.cands.map((s, i) => ({
        id: String(i), platform: model.platformId(pName(s.platform)), live: true,
        running: s.corunners.map((k, j) => ({ placementId: `${i}-${j}`, workload: model.workloadId(wName(k)), startedAt: 0, deadlineAt: Number.MAX_SAFE_INTEGER, eps: EPS })),
      }))
      const d = place(model, devices, { workload: model.workloadId(wName(job.w)), deadlineMs: job.deadlineMs, eps: EPS, explain: 1 })
      if (d.placed) chosen = job.cands[Number(d.device)]
    }
    if (!chosen) continue
    t.placed++
    if (chosen.truthMs <= job.deadlineMs) t.met++
    t.used += chosen.truthMs / job.deadlineMs
  }
  return t
}

const work = mkdtempSync(join(tmpdir(), 'placement-pitot-'))
writeHistory(work)
process.stderr.write(`training Pitot on ${history.map((o) => o.logT.length).join(' + ')} rows (${STEPS} steps)...\n`)
const trained = trainModel(work, join(work, 'model'), { config: { steps: STEPS } })
process.stderr.write(`trained in ${trained.seconds.toFixed(0)} s\n`)
const models: Record<string, RuntimeModel | 'random'> = {
  pitot: new PitotRuntimeModel(loadPredictor(join(work, 'model'))),
  online: onlineModel(),
  random: 'random',
}

console.log(`Pitot dataset, held-out half as ground truth; ${JOBS} jobs per pool; eps ${EPS} (promise: hit of placed >= ${100 * (1 - EPS)} %)`)
console.log('pool      policy   placed    hit (all)   hit (placed)   deadline used (placed, mean)')
future.forEach((o, arity) => {
  const by = [...situations(o)].filter(([, c]) => c.length >= MIN_CANDIDATES)
  const rng = new Rng(SEED + 7 * arity)
  const jobs = Array.from({ length: JOBS }, () => {
    const [w, cands] = by[rng.int(by.length)]!
    const sorted = cands.map((c) => c.truthMs).sort((a, b) => a - b)
    const q = 0.2 + 0.2 * rng.next()
    return { w, cands, deadlineMs: sorted[Math.floor(q * (sorted.length - 1))]! }
  })
  for (const [name, model] of Object.entries(models)) {
    const t = run(model, jobs, new Rng(SEED + 99))
    const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)} %`
    console.log(`${(arity === 0 ? 'isolated' : `${arity}-way`).padEnd(9)} ${name.padEnd(8)} ${pct(t.placed / JOBS)}   ${pct(t.met / JOBS)}     ${pct(t.met / Math.max(1, t.placed))}        ${pct(t.used / Math.max(1, t.placed))}`)
  }
})
