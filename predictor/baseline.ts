/**
 * The log-residual baseline of Pitot (Eq. 2): ln C̄[i,j] = by[i] + bx[j], fitted by alternating
 * row/column means over the OBSERVED isolated cells only. The reference masks with -inf·mask,
 * which is NaN under IEEE for unobserved cells; here the mask is explicit (counts per entity).
 * @module
 */
import type { Observations } from './types.js'

export interface Baseline {
  /** Platform log "speed" [platforms]. */
  platform: Float32Array
  /** Workload log "difficulty" [workloads]. */
  workload: Float32Array
  iterations: number
}

/**
 * Fits the baseline on isolated rows. Entities without any observed row get the mean of the
 * others (a neutral value the model can fine-tune or the features can replace).
 */
export function fitBaseline(obs: Observations, platforms: number, workloads: number, tol = 1e-4, maxIter = 100): Baseline {
  const bx = new Float64Array(platforms), by = new Float64Array(workloads)
  const np = new Float64Array(platforms), nw = new Float64Array(workloads)
  const n = obs.logT.length
  for (let r = 0; r < n; r++) { np[obs.platform[r]]++; nw[obs.workload[r]]++ }
  let mean = 0
  for (let r = 0; r < n; r++) mean += obs.logT[r]
  by.fill(n ? mean / n : 0)
  const sums = (target: Float64Array, counts: Float64Array, own: Int32Array, other: Int32Array, otherVal: Float64Array): number => {
    const acc = new Float64Array(target.length)
    for (let r = 0; r < n; r++) acc[own[r]] += obs.logT[r] - otherVal[other[r]]
    let change = 0
    for (let e = 0; e < target.length; e++) {
      if (!counts[e]) continue
      const v = acc[e] / counts[e]
      change = Math.max(change, Math.abs(v - target[e]))
      target[e] = v
    }
    return change
  }
  let it = 0
  for (; it < maxIter; it++) {
    const dx = sums(bx, np, obs.platform, obs.workload, by)
    const dy = sums(by, nw, obs.workload, obs.platform, bx)
    if (Math.max(dx, dy) < tol) { it++; break }
  }
  return { platform: fillUnobserved(bx, np), workload: fillUnobserved(by, nw), iterations: it }
}

function fillUnobserved(v: Float64Array, counts: Float64Array): Float32Array {
  let s = 0, c = 0
  for (let e = 0; e < v.length; e++) if (counts[e]) { s += v[e]; c++ }
  const out = Float32Array.from(v)
  for (let e = 0; e < v.length; e++) if (!counts[e]) out[e] = c ? s / c : 0
  return out
}
