import t from 'tap'
import { OnlineModel } from '../orchestrator/online-model.js'
import { place } from '../orchestrator/placement.js'
import { simWorld } from '../orchestrator/simulate.js'
import type { DeviceView, Observation } from '../orchestrator/types.js'

/** A model that knows: device d0 is fast, d1 slow, d2 medium; co-runners double runtimes. */
function trained(): { model: OnlineModel; w: number[]; p: number[] } {
  const model = new OnlineModel()
  const p = ['fast', 'slow', 'mid'].map((k) => model.platformId(k))
  const w = ['a', 'b'].map((k) => model.workloadId(k))
  const speed = [1, 4, 2]
  const obs: Observation[] = []
  for (let i = 0; i < 300; i++) {
    const d = i % 3, k = Math.floor(i / 6) % 2, noise = 1 + 0.02 * Math.sin(i)
    obs.push({ platform: p[d]!, workload: w[i % 2]!, corunners: k ? [w[0]!] : [], runtimeMs: 100 * (1 + (i % 2)) * speed[d]! * (1 + k) * noise })
  }
  model.observe(obs)
  return { model, w, p }
}

t.test('tightest feasible fit wins, and the answer explains itself', async (t) => {
  const { model, w, p } = trained()
  const devices: DeviceView[] = ['fast', 'slow', 'mid'].map((id, i) => ({ id, platform: p[i]!, live: true, running: [] }))
  const d = place(model, devices, { workload: w[0]!, deadlineMs: 300, eps: 0.1 })
  t.ok(d.placed)
  t.equal(d.device, 'mid', 'mid (≈200 ms) fits 300 ms tighter than fast (≈100 ms); slow (≈400 ms) cannot')
  t.equal(d.candidates[0]!.device, 'mid')
  t.equal(d.considered, 3)
  t.equal(d.feasibleCount, 2)
  const slow = d.candidates.find((c) => c.device === 'slow')!
  t.notOk(slow.feasible)
  t.match(slow.reason, /exceeds the deadline/)
  t.ok(d.calibrated)
  const explore = place(model, devices, { workload: w[0]!, deadlineMs: 300, eps: 0.1, unexplored: (q) => q === p[0] })
  t.equal(explore.device, 'fast', 'a feasible never-observed device is explored before the tightest fit')
  const notFeasible = place(model, devices, { workload: w[0]!, deadlineMs: 300, eps: 0.1, unexplored: (q) => q === p[1] })
  t.equal(notFeasible.device, 'mid', 'but never at the price of a deadline')
})

t.test('a co-runner that would miss its deadline rules the device out', async (t) => {
  const { model, w, p } = trained()
  const busy = { placementId: 'run-1', workload: w[0]!, startedAt: 0, deadlineAt: 150, eps: 0.1 }
  const devices: DeviceView[] = [
    { id: 'fast', platform: p[0]!, live: true, running: [busy] },
    { id: 'mid', platform: p[2]!, live: true, running: [] },
  ]
  const d = place(model, devices, { workload: w[0]!, deadlineMs: 1000, eps: 0.1 })
  t.equal(d.device, 'mid')
  const fast = d.candidates.find((c) => c.device === 'fast')!
  t.notOk(fast.feasible)
  t.match(fast.reason, /run-1 would miss/)
  t.ok(fast.corunners[0]!.slowdown > 1.5, `predicted slowdown caused to the co-runner (${fast.corunners[0]!.slowdown.toFixed(2)}x)`)
})

t.test('refuses with reasons when nothing fits; lost devices are not candidates', async (t) => {
  const { model, w, p } = trained()
  const devices: DeviceView[] = [{ id: 'fast', platform: p[0]!, live: false, running: [] }, { id: 'slow', platform: p[1]!, live: true, running: [] }]
  const d = place(model, devices, { workload: w[1]!, deadlineMs: 50, eps: 0.05 })
  t.notOk(d.placed)
  t.equal(d.considered, 1)
  t.match(d.reason, /no device meets the deadline of 50 ms/)
  t.match(d.candidates[0]!.reason, /exceeds/)
  const none = place(model, [], { workload: w[1]!, deadlineMs: 50, eps: 0.05 })
  t.match(none.reason, /no live device/)
})

t.test('online model: predictions improve as observations arrive; bounds cover at 1 - eps', async (t) => {
  const world = simWorld(20, 10, 7)
  const model = new OnlineModel()
  const P = world.speed.map((_, i) => model.platformId(`d${i}`))
  const W = world.base.map((_, i) => model.workloadId(`w${i}`))
  const rows = (k: number[], pl: number, wl: number) => ({ n: 1, platform: Int32Array.of(P[pl]!), workload: Int32Array.of(W[wl]!), offsets: Int32Array.of(0, k.length), corunners: Int32Array.from(k) })
  const errs: number[] = []
  let covered = 0, judged = 0
  for (let i = 0; i < 1500; i++) {
    const pl = world.rng.int(20), wl = world.rng.int(10), k = world.rng.int(3)
    const co = Array.from({ length: k }, () => W[world.rng.int(10)]!)
    const truth = world.runtime(pl, wl, k)
    const s = model.score(rows(co, pl, wl), 0.1)
    errs.push(Math.abs(truth / s.runtimeMs[0]! - 1))
    if (i >= 500 && model.calibrated(k, 0.1)) { judged++; if (truth <= s.boundMs[0]!) covered++ }
    model.observe([{ platform: P[pl]!, workload: W[wl]!, corunners: co, runtimeMs: truth }])
  }
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length
  const early = mean(errs.slice(0, 100)), late = mean(errs.slice(-300))
  t.ok(late < early / 3, `error falls as it learns: first 100 ${(100 * early).toFixed(1)}% -> last 300 ${(100 * late).toFixed(1)}%`)
  t.ok(covered / judged >= 0.87, `coverage ${(covered / judged).toFixed(3)} at eps 0.1 over ${judged} rows`)
})

t.test('online model: a well-known pair\'s bound follows recent residuals, not the first guesses', async (t) => {
  // Small fleets learned from scratch: the first predictions for each device and workload miss
  // by more than the 10 % noise. Bounds for pairs both observed several times must come from
  // residuals of similarly informed predictions, so they stay near the residuals' own 90 %
  // quantile (one pool of all residuals gave 1.33-1.76 times it here) while still covering.
  const ratios: number[] = []
  let covered = 0, judged = 0
  for (const seed of [11, 12, 13]) {
    const world = simWorld(4, 6, seed)
    const model = new OnlineModel()
    const P = world.speed.map((_, i) => model.platformId(`d${i}`))
    const W = world.base.map((_, i) => model.workloadId(`w${i}`))
    const seenP = P.map(() => 0), seenW = W.map(() => 0)
    const margins: number[] = [], residuals: number[] = []
    for (let i = 0; i < 80; i++) {
      const pl = world.rng.int(4), wl = world.rng.int(6)
      const truth = world.runtime(pl, wl, 0)
      const s = model.score({ n: 1, platform: Int32Array.of(P[pl]!), workload: Int32Array.of(W[wl]!), offsets: Int32Array.of(0, 0), corunners: new Int32Array(0) }, 0.1)
      if (i >= 30 && Math.min(seenP[pl]!, seenW[wl]!) >= 3) {
        margins.push(Math.log(s.boundMs[0]! / s.runtimeMs[0]!))
        residuals.push(Math.log(truth / s.runtimeMs[0]!))
        judged++
        if (truth <= s.boundMs[0]!) covered++
      }
      seenP[pl]!++; seenW[wl]!++
      model.observe([{ platform: P[pl]!, workload: W[wl]!, corunners: [], runtimeMs: truth }])
    }
    const q90 = [...residuals].sort((a, b) => a - b)[Math.ceil(0.9 * residuals.length) - 1]!
    ratios.push(margins.reduce((a, b) => a + b, 0) / margins.length / q90)
  }
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length
  t.ok(judged >= 120, `${judged} well-known rows judged`)
  t.ok(mean <= 1.3, `mean margin / residual 90 % quantile: ${ratios.map((r) => r.toFixed(2)).join(', ')} (mean ${mean.toFixed(2)})`)
  t.ok(covered / judged >= 0.85, `coverage ${(covered / judged).toFixed(2)} at eps 0.1`)
})
