/**
 * Closed-loop replay (beyond MimeSys, which replays open-loop): the trace is replayed in short
 * chunks; after each chunk the recorded windows correct what the next chunk asks for, so a
 * device that runs differently now than when the data were collected (load, page cache, a
 * paced disk stressor writing faster on a quieter machine) is compensated.
 * Chunks are separate replays because a replay's windows are fixed when it is prepared.
 *
 * Two corrections:
 * - with a forward model (`forward`, for the guided policy): per metric, the gain g of the device
 *   over the model, recorded ≈ g·f(a), fitted by least squares on the windows played so far
 *   (older chunks' evidence decaying by 1 − gain per chunk, so the first chunk that shows a
 *   metric sets g at once, not a fixed fraction of the way); the next chunk's forward-model goal
 *   is target / g. Multiplicative because the biases seen are rates (a paced write stressor
 *   writing 15-25 % faster at load 2 than at the collection's load 8-10; a core at full load
 *   executing 2-5 % less): zero stays zero. It compares the recording with what the model
 *   predicted for the windows actually played, not with the target, so a goal nothing can reach
 *   (a core both computing and writing) is no evidence of bias and cannot wind the correction
 *   up; g is still clamped.
 * - without one: an integral correction of the normalised error (recorded − target) added to
 *   the next chunk's conditioning, clamped, goals past the training range ignored (anti-windup).
 * @module
 */
import { Rng } from '../ml/rng.js'
import type { Replayer } from './device.js'
import { averageRows, type Replayed } from './evaluate.js'
import type { Forward } from './forward.js'
import type { GeneratorParts, Policy } from './generate.js'
import { normalise } from './normalise.js'
import { compDim, summarise } from './space.js'

export interface ClosedLoopOptions {
  /** Rows per chunk; default 4 with a forward model, 8 without. */
  chunk?: number
  /** Conditioning mode: integral gain on the normalised error. Forward mode: how fast older chunks' evidence decays. */
  gain?: number
  /** Conditioning mode: largest correction, normalised units. Forward mode: g is kept in [1 / (1 + limit), 1 + limit]. */
  limit?: number
  /** Correct the forward model's goal by the device's measured gain over it (see the module comment). */
  forward?: Forward
  seed?: number
  /** Windows played per row (the row's period ÷ the model's window: real time); default 1 (compressed). */
  perRow?: number
}

/** Sum of predicted² below which the windows played say nothing about a metric's gain (it was ~idle). */
const MIN_EVIDENCE = 0.01

/** Replays `rows` (normalised targets) closed-loop; returns the recorded rows in raw units. */
export async function closedLoop(device: Replayer, parts: GeneratorParts, policy: Policy, rows: Float32Array[],
  { chunk, gain, limit, forward, seed = 0, perRow = 1 }: ClosedLoopOptions = {}): Promise<Replayed> {
  const { space, ranges } = parts.meta
  const N = space.metrics.length
  const rng = new Rng(seed)
  // Forward mode: chunks of 4, so a gain learned on one chunk applies sooner (mean DTW 0.0063
  // closed vs 0.0093 open loop; a first version with 8 rows and an EMA from 1 lost). The
  // conditioning mode keeps the 8 it was measured with.
  const rowsPer = chunk ?? (forward ? 4 : 8)
  const k = gain ?? (forward ? 0.5 : 0.3)
  const lim = limit ?? (forward ? 1 : 0.2)
  const correction = new Float32Array(N)
  const scale = new Float64Array(N).fill(1)
  // Decaying sums of recorded·predicted and predicted² (forward mode's least squares).
  const rp = new Float64Array(N)
  const pp = new Float64Array(N)
  const out: Replayed = []
  let prev = new Float32Array(compDim(space)) as Float32Array
  for (let start = 0; start < rows.length; start += rowsPer) {
    const goals = rows.slice(start, start + rowsPer)
    const windows: Float32Array[] = []
    for (const g of goals) {
      // The correction changes only between chunks: a row's windows all ask the same.
      const aim = forward ? g.map((v, n) => v / scale[n]!) : undefined
      const asked = forward ? g : g.map((v, n) => (Number.isNaN(v) ? NaN : Math.max(0, v + correction[n]!)))
      for (let j = 0; j < perRow; j++) {
        prev = await policy(asked, summarise(space, prev), rng, undefined, aim)
        windows.push(prev)
      }
    }
    const raw = await device.run(space, windows)
    const recorded = averageRows(raw, perRow)
    out.push(...recorded)
    const obs = recorded.map((o) => normalise(ranges, o))
    if (forward) {
      for (let n = 0; n < N; n++) { rp[n] = (1 - k) * rp[n]!; pp[n] = (1 - k) * pp[n]! }
      const predicted = averageRows(windows.map((w) => forward.predict(w)), perRow)
      obs.forEach((o, i) => predicted[i]!.forEach((p, n) => { if (Number.isFinite(o[n]!)) { rp[n] += o[n]! * p; pp[n] += p * p } }))
      for (let n = 0; n < N; n++) {
        if (pp[n]! >= MIN_EVIDENCE) scale[n] = Math.min(1 + lim, Math.max(1 / (1 + lim), rp[n]! / pp[n]!))
      }
    } else {
      const err = new Float32Array(N)
      // Anti-windup: a goal past the training range cannot be reached, so it must not pile up.
      obs.forEach((o, i) => o.forEach((v, n) => { const g = goals[i]![n]!; if (g >= 0 && g <= 1) err[n] += (g - v) / obs.length }))
      for (let n = 0; n < N; n++) correction[n] = Math.max(-lim, Math.min(lim, correction[n]! + k * err[n]!))
    }
  }
  return out
}
