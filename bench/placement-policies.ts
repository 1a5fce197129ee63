/**
 * Placement policies on the same submitted stream: interference-aware (place() with the
 * online model learning from every completion) vs random, least-loaded and round-robin.
 * A discrete-event simulation of a heterogeneous fleet (speed and interference slope per
 * device, log-normal noise); a run's runtime is fixed by its co-runners when it starts.
 * Prints deadline-hit rate (of all submitted; refusals count as misses), hit rate of the
 * placed, the hit rate of the last 3/4 of the stream (after the model's warm-up: it refuses
 * rather than guess while it knows nothing), and utilisation (busy device-time / makespan).
 * Run: node dist/bench/placement-policies.js [devices] [jobs] [seed]
 */
import { OnlineModel } from '../orchestrator/online-model.js'
import { place } from '../orchestrator/placement.js'
import { simWorld } from '../orchestrator/simulate.js'
import type { DeviceView } from '../orchestrator/types.js'
import { Rng } from '../ml/index.js'

const DEVICES = Number(process.argv[2] ?? 40)
const JOBS = Number(process.argv[3] ?? 4000)
const SEED = Number(process.argv[4] ?? 3)
const WORKLOADS = 30
const EPS = 0.1

interface Job { at: number; w: number; deadlineMs: number }
type Policy = (devices: DeviceView[], job: Job, model: OnlineModel) => string | undefined

/** One stream for every policy: arrivals, workloads and deadlines drawn once. */
function stream(): Job[] {
  const world = simWorld(DEVICES, WORKLOADS, SEED)
  const rng = new Rng(SEED + 1)
  const medianSpeed = [...world.speed].sort((a, b) => a - b)[DEVICES >> 1]!
  const meanBase = world.base.reduce((a, b) => a + b, 0) / WORKLOADS
  // Offered load ~70% of the fleet at median speed.
  const gap = (meanBase * medianSpeed) / (0.7 * DEVICES)
  let t = 0
  return Array.from({ length: JOBS }, () => {
    t += -Math.log(1 - rng.next()) * gap
    const w = rng.int(WORKLOADS)
    return { at: t, w, deadlineMs: world.base[w]! * medianSpeed * (1.5 + 2 * rng.next()) }
  })
}

function simulate(name: string, policy: Policy): string {
  const world = simWorld(DEVICES, WORKLOADS, SEED)
  const model = new OnlineModel()
  const wIds = world.base.map((_, w) => model.workloadId(`w${w}`))
  const devices: DeviceView[] = world.speed.map((_, d) => ({ id: String(d), platform: model.platformId(`d${d}`), live: true, running: [] }))
  const ends: Array<{ t: number; d: number; id: string; w: number; co: number[]; runtime: number; deadlineAt: number; n: number }> = []
  let met = 0, placed = 0, busy = 0, last = 0, lastEnd = 0, id = 0, metLate = 0
  const WARM = Math.floor(JOBS / 4)
  // Busy time is the union of a device's run intervals (co-running jobs count once).
  const busyUntil = new Float64Array(DEVICES)
  const drain = (until: number) => {
    ends.sort((a, b) => a.t - b.t)
    while (ends.length && ends[0]!.t <= until) {
      const e = ends.shift()!
      const dev = devices[e.d]!
      dev.running = dev.running.filter((r) => r.placementId !== e.id)
      if (e.t <= e.deadlineAt) { met++; if (e.n >= WARM) metLate++ }
      model.observe([{ platform: dev.platform, workload: wIds[e.w]!, corunners: e.co, runtimeMs: e.runtime }])
    }
  }
  for (const [n, job] of stream().entries()) {
    drain(job.at)
    const choice = policy(devices, { ...job, w: wIds[job.w]! }, model)
    last = job.at
    if (choice === undefined) continue
    const d = Number(choice), dev = devices[d]!
    const co = dev.running.map((r) => r.workload)
    const runtime = world.runtime(d, job.w, co.length)
    const pid = `j${id++}`
    dev.running.push({ placementId: pid, workload: wIds[job.w]!, startedAt: job.at, deadlineAt: job.at + job.deadlineMs, eps: EPS })
    ends.push({ t: job.at + runtime, d, id: pid, w: job.w, co, runtime, deadlineAt: job.at + job.deadlineMs, n })
    placed++
    const end = job.at + runtime
    busy += Math.max(0, end - Math.max(job.at, busyUntil[d]!))
    busyUntil[d] = Math.max(busyUntil[d]!, end)
    lastEnd = Math.max(lastEnd, end)
  }
  drain(Infinity)
  const horizon = Math.max(last, lastEnd)
  return `${name.padEnd(20)} hit ${(100 * met / JOBS).toFixed(1).padStart(5)}%   hit-of-placed ${(100 * met / Math.max(1, placed)).toFixed(1).padStart(5)}%   hit after warm-up ${(100 * metLate / (JOBS - WARM)).toFixed(1).padStart(5)}%   placed ${String(placed).padStart(5)}/${JOBS}   utilisation ${(100 * busy / (DEVICES * horizon)).toFixed(1).padStart(5)}%`
}

const rng = new Rng(SEED + 2)
let rr = 0
const policies: Record<string, Policy> = {
  'interference-aware': (devices, job, model) => {
    const d = place(model, devices, { workload: job.w, deadlineMs: job.deadlineMs, eps: EPS, explain: 1 })
    return d.placed ? d.device : undefined
  },
  random: (devices) => devices[rng.int(devices.length)]!.id,
  'least-loaded': (devices) => devices.reduce((a, b) => (b.running.length < a.running.length ? b : a)).id,
  'round-robin': (devices) => devices[rr++ % devices.length]!.id,
}
console.log(`${DEVICES} simulated devices, ${JOBS} jobs, eps ${EPS} (target hit-of-placed >= ${100 * (1 - EPS)}%)`)
for (const [name, policy] of Object.entries(policies)) console.log(simulate(name, policy))
