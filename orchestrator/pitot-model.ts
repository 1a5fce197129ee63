/**
 * RuntimeModel over a trained Pitot predictor (predictor/): placement scores candidates with
 * its calibrated bounds, never-seen devices and workloads enter by their feature vectors, and
 * observations go through the predictor's warm-started update (calibration refreshed).
 * Buffers observations and updates in batches: one update costs seconds of CPU.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { updatePredictor, type Predictor, type UpdateOptions } from '../predictor/index.js'
import type { Observation, RuntimeModel, ScoreRows, Scores } from './types.js'

const US_PER_MS = 1000

export class PitotRuntimeModel implements RuntimeModel {
  readonly needsFeatures = true
  readonly #p: Predictor
  readonly #keys = { platform: new Map<string, number>(), workload: new Map<string, number>() }
  readonly #pending: Observation[] = []
  readonly #batch: number
  readonly #update: UpdateOptions

  /** @param batch observations buffered before one warm-started update. */
  constructor(predictor: Predictor, { batch = 50, update = {} }: { batch?: number; update?: UpdateOptions } = {}) {
    this.#p = predictor
    this.#batch = batch
    this.#update = update
  }

  platformId(key: string, features?: ArrayLike<number>): number { return this.#entity('platform', key, features) }
  workloadId(key: string, features?: ArrayLike<number>): number { return this.#entity('workload', key, features) }

  /** Pitot needs features up front; features arriving later cannot re-embed an entity. */
  workloadFeatures(): void {}

  #entity(kind: 'platform' | 'workload', key: string, features?: ArrayLike<number>): number {
    const known = this.#keys[kind].get(key)
    if (known !== undefined) return known
    const table = kind === 'platform' ? this.#p.platforms : this.#p.workloads
    const named = table.names.indexOf(key)
    if (named < 0 && !features) throw new InvalidInputError(`${kind} '${key}' is not in the model: give its features`)
    const i = named >= 0 ? named : this.#p[kind]({ features: features!, name: key })
    this.#keys[kind].set(key, i)
    return i
  }

  score(rows: ScoreRows, eps: number): Scores {
    const out: Scores = { runtimeMs: new Float64Array(rows.n), boundMs: new Float64Array(rows.n) }
    // The predictor scores one pool (number of co-runners) at a time.
    const byArity = new Map<number, number[]>()
    for (let r = 0; r < rows.n; r++) {
      const a = rows.offsets[r + 1]! - rows.offsets[r]!
      let list = byArity.get(a)
      if (!list) byArity.set(a, (list = []))
      list.push(r)
    }
    for (const [arity, at] of byArity) {
      const obs = { arity, platform: new Int32Array(at.length), workload: new Int32Array(at.length), corunners: new Int32Array(at.length * arity), logT: new Float64Array(at.length) }
      at.forEach((r, j) => {
        obs.platform[j] = rows.platform[r]!
        obs.workload[j] = rows.workload[r]!
        obs.corunners.set(rows.corunners.subarray(rows.offsets[r]!, rows.offsets[r + 1]!), j * arity)
      })
      const s = this.#p.scoreObservations(obs, eps)
      at.forEach((r, j) => { out.runtimeMs[r] = s.runtime[j]! / US_PER_MS; out.boundMs[r] = s.bound[j]! / US_PER_MS })
    }
    return out
  }

  observe(obs: Observation[]): void {
    this.#pending.push(...obs)
    if (this.#pending.length >= this.#batch) this.flush()
  }

  /** Runs the warm-started update on every buffered observation now. */
  flush(): void {
    if (this.#pending.length === 0) return
    const rows = this.#pending.splice(0)
    const maxArity = Math.max(...rows.map((o) => o.corunners.length))
    const pools = Array.from({ length: maxArity + 1 }, (_, a) => {
      const sel = rows.filter((o) => o.corunners.length === a)
      return {
        arity: a,
        platform: Int32Array.from(sel, (o) => o.platform),
        workload: Int32Array.from(sel, (o) => o.workload),
        corunners: Int32Array.from(sel.flatMap((o) => o.corunners)),
        logT: Float64Array.from(sel, (o) => Math.log(o.runtimeMs * US_PER_MS)),
      }
    })
    updatePredictor(this.#p, pools, this.#update)
  }

  calibrated(): boolean { return true }
}
