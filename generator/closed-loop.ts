/**
 * Closed-loop replay (beyond MimeSys, which replays open-loop): the trace is replayed in short
 * chunks; after each chunk the recorded windows are compared with the target and an integral
 * correction is added to the conditioning of the next chunk, so a model that undershoots
 * (contention, a stressor weaker on this device than in training) asks for more next time.
 * Chunks are separate replays because a replay's windows are fixed when it is prepared.
 * @module
 */
import { Rng } from '../ml/rng.js'
import type { Device } from './device.js'
import type { Replayed } from './evaluate.js'
import type { GeneratorParts, Policy } from './generate.js'
import { normalise } from './normalise.js'
import { compDim, summarise } from './space.js'

export interface ClosedLoopOptions {
  /** Rows per chunk (one window per row). */
  chunk?: number
  /** Integral gain on the normalised error. */
  gain?: number
  /** Largest correction, in normalised units (anti-windup). */
  limit?: number
  seed?: number
}

/** Replays `rows` (normalised targets) closed-loop; returns the recorded rows in raw units. */
export async function closedLoop(device: Device, parts: GeneratorParts, policy: Policy, rows: Float32Array[],
  { chunk = 8, gain = 0.3, limit = 0.2, seed = 0 }: ClosedLoopOptions = {}): Promise<Replayed> {
  const { space, ranges } = parts.meta
  const N = space.metrics.length
  const rng = new Rng(seed)
  const correction = new Float32Array(N)
  const out: Replayed = []
  let prev = new Float32Array(compDim(space)) as Float32Array
  for (let start = 0; start < rows.length; start += chunk) {
    const goals = rows.slice(start, start + chunk)
    const windows: Float32Array[] = []
    for (const g of goals) {
      const asked = g.map((v, n) => (Number.isNaN(v) ? NaN : Math.max(0, v + correction[n]!)))
      prev = await policy(asked, summarise(space, prev), rng)
      windows.push(prev)
    }
    const obs = await device.run(space, windows)
    const err = new Float32Array(N)
    obs.forEach((o, i) => {
      out.push(Float64Array.from(o))
      // Anti-windup: a goal past the training range cannot be reached, so it must not pile up.
      normalise(ranges, o).forEach((v, n) => { const g = goals[i]![n]!; if (g >= 0 && g <= 1) err[n] += (g - v) / obs.length })
    })
    for (let n = 0; n < N; n++) correction[n] = Math.max(-limit, Math.min(limit, correction[n]! + gain * err[n]!))
  }
  return out
}
