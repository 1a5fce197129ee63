/**
 * Interference-aware placement. For every live device: the new workload's predicted runtime and
 * 1 − ε bound next to what already runs there, and each co-runner's bound with the newcomer
 * added (the slowdown it would suffer). A device is feasible when the newcomer finishes by its
 * deadline and every co-runner still finishes by its own, all at their bounds; among feasible
 * devices the tightest fit (least slack) wins, keeping roomier devices for later work.
 * Scores all rows of all devices in one batched model call.
 * @module
 */
import type { Candidate, Decision, DeviceView, RuntimeModel, ScoreRows } from './types.js'

export interface PlacementRequest {
  workload: number
  /** Deadline relative to the moment of placement, ms. */
  deadlineMs: number
  eps: number
  /** How many candidates the answer lists (chosen first). */
  explain?: number
  /**
   * Platforms the model has never observed: a feasible one wins over the tightest fit, so the
   * learning loop sees every device (tightest fit alone keeps packing the devices it knows).
   */
  unexplored?: (platform: number) => boolean
}

/** Reusable scratch buffers: a placement over 10,000 devices allocates nothing per call. */
class RowBuffer implements ScoreRows {
  n = 0
  platform = new Int32Array(0)
  workload = new Int32Array(0)
  offsets = new Int32Array(1)
  corunners = new Int32Array(0)
  ensure(rows: number, coruns: number): void {
    if (this.platform.length < rows) {
      this.platform = new Int32Array(rows * 2); this.workload = new Int32Array(rows * 2); this.offsets = new Int32Array(rows * 2 + 1)
    }
    if (this.corunners.length < coruns) this.corunners = new Int32Array(coruns * 2)
  }
}
const buf = new RowBuffer()

/**
 * Chooses a device for one workload.
 * @example
 * const d = place(model, devices, { workload: w, deadlineMs: 5000, eps: 0.1 })
 * if (!d.placed) console.log(d.reason, d.candidates)
 */
export function place(model: RuntimeModel, devices: readonly DeviceView[], req: PlacementRequest): Decision {
  const t0 = performance.now()
  const live = devices.filter((d) => d.live)
  // Row layout per device: [newcomer; each co-runner with the newcomer; each co-runner as now]
  let rows = 0, coruns = 0
  for (const d of live) { const k = d.running.length; rows += 1 + 2 * k; coruns += k + 2 * k * k }
  buf.ensure(rows, coruns)
  let r = 0, c = 0
  buf.offsets[0] = 0
  for (const d of live) {
    buf.platform[r] = d.platform; buf.workload[r] = req.workload
    for (const x of d.running) buf.corunners[c++] = x.workload
    buf.offsets[++r] = c
    for (const self of d.running) {
      buf.platform[r] = d.platform; buf.workload[r] = self.workload
      for (const x of d.running) if (x !== self) buf.corunners[c++] = x.workload
      buf.corunners[c++] = req.workload
      buf.offsets[++r] = c
    }
    for (const self of d.running) {
      buf.platform[r] = d.platform; buf.workload[r] = self.workload
      for (const x of d.running) if (x !== self) buf.corunners[c++] = x.workload
      buf.offsets[++r] = c
    }
  }
  buf.n = rows
  const scores = model.score(buf, req.eps)

  let best = -1, bestSlack = Infinity, feasibleCount = 0, explore = -1, exploreSlack = Infinity
  const slack = new Float64Array(live.length)
  const firstRow = new Int32Array(live.length)
  r = 0
  live.forEach((d, i) => {
    firstRow[i] = r
    const bound = scores.boundMs[r]!
    let ok = bound <= req.deadlineMs
    for (let j = 0; j < d.running.length; j++) {
      const x = d.running[j]!
      if (x.startedAt + scores.boundMs[r + 1 + j]! > x.deadlineAt) ok = false
    }
    slack[i] = req.deadlineMs - bound
    if (ok) {
      feasibleCount++
      if (slack[i]! < bestSlack) { bestSlack = slack[i]!; best = i }
      if (req.unexplored?.(d.platform) && slack[i]! < exploreSlack) { exploreSlack = slack[i]!; explore = i }
    }
    r += 1 + 2 * d.running.length
  })

  if (explore >= 0) best = explore
  const describe = (i: number): Candidate => describeDevice(live[i]!, firstRow[i]!, scores, req, slack[i]!)
  const explain = req.explain ?? 5
  const others = closest(live.length, slack, best, explain - (best >= 0 ? 1 : 0))
  const candidates = [...(best >= 0 ? [describe(best)] : []), ...others.map(describe)]
  const calibrated = model.calibrated(0, req.eps) && model.calibrated(1, req.eps)
  const elapsedMs = performance.now() - t0
  if (best < 0) {
    const reason = live.length === 0
      ? 'no live device'
      : `no device meets the deadline of ${req.deadlineMs} ms at 1 - ${req.eps} for the workload and all its co-runners (${live.length} live devices considered)`
    return { placed: false, candidates, considered: live.length, feasibleCount, reason, calibrated, elapsedMs }
  }
  return { placed: true, device: live[best]!.id, candidates, considered: live.length, feasibleCount, calibrated, elapsedMs }
}

/** Indices of up to `k` devices other than `skip` with the smallest |slack| (closest calls). */
function closest(n: number, slack: Float64Array, skip: number, k: number): number[] {
  const out: number[] = []
  if (k <= 0) return out
  for (let i = 0; i < n; i++) {
    if (i === skip) continue
    if (out.length < k) { out.push(i); out.sort((a, b) => Math.abs(slack[a]!) - Math.abs(slack[b]!)); continue }
    if (Math.abs(slack[i]!) < Math.abs(slack[out[k - 1]!]!)) {
      out[k - 1] = i
      out.sort((a, b) => Math.abs(slack[a]!) - Math.abs(slack[b]!))
    }
  }
  return out
}

function describeDevice(d: DeviceView, row: number, s: { runtimeMs: Float64Array; boundMs: Float64Array }, req: PlacementRequest, slackMs: number): Candidate {
  const boundMs = s.boundMs[row]!
  const k = d.running.length
  const corunners = d.running.map((x, j) => {
    const b = s.boundMs[row + 1 + j]!
    const slowdown = s.runtimeMs[row + 1 + j]! / s.runtimeMs[row + 1 + k + j]!
    return { placementId: x.placementId, boundMs: b, slowdown, meetsDeadline: x.startedAt + b <= x.deadlineAt }
  })
  const late = corunners.filter((x) => !x.meetsDeadline).map((x) => x.placementId)
  const feasible = boundMs <= req.deadlineMs && late.length === 0
  const reason = feasible ? undefined
    : boundMs > req.deadlineMs ? `bound ${boundMs.toFixed(1)} ms exceeds the deadline of ${req.deadlineMs} ms`
    : `co-runner(s) ${late.join(', ')} would miss their deadlines`
  return { device: d.id, feasible, predictedMs: s.runtimeMs[row]!, boundMs, slackMs, corunners, ...(reason ? { reason } : {}) }
}
