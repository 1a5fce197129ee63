/**
 * The published split protocol: per pool independently, a uniform random fraction S of the rows
 * is observed (0.8·S train, 0.2·S validation = calibration), the rest is test.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { Rng } from '../ml/index.js'
import type { Observations } from './types.js'

export interface Split { train: Int32Array[]; val: Int32Array[]; test: Int32Array[] }

export function splitRows(pools: Observations[], fraction: number, seed: number, valShare = 0.2): Split {
  if (!(fraction > 0 && fraction <= 1)) throw new InvalidInputError(`split fraction must be in (0, 1], got ${fraction}`)
  const rng = new Rng(seed)
  const out: Split = { train: [], val: [], test: [] }
  pools.forEach((obs, a) => {
    const n = obs.logT.length
    const perm = Int32Array.from(rng.permutation(n))
    const seen = Math.round(fraction * n)
    const nVal = Math.round(valShare * seen)
    out.train[a] = perm.slice(0, seen - nVal)
    out.val[a] = perm.slice(seen - nVal, seen)
    out.test[a] = perm.slice(seen)
  })
  return out
}

/** The rows of `obs` at `idx`, as a new observation set. */
export function selectRows(obs: Observations, idx: ArrayLike<number>): Observations {
  const A = obs.arity, n = idx.length
  const out: Observations = {
    arity: A, platform: new Int32Array(n), workload: new Int32Array(n),
    corunners: new Int32Array(n * A), logT: new Float64Array(n),
  }
  for (let r = 0; r < n; r++) {
    const s = idx[r]
    out.platform[r] = obs.platform[s]; out.workload[r] = obs.workload[s]; out.logT[r] = obs.logT[s]
    for (let k = 0; k < A; k++) out.corunners[r * A + k] = obs.corunners[s * A + k]
  }
  return out
}
