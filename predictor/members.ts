/**
 * Trains the members of an ensemble (config.members) and merges them (ensemble.ts). With
 * `threads`, members 1…K−1 train in worker threads while this thread trains member 0, and this
 * thread then blocks on shared memory until they are done: the fitting API stays synchronous
 * (evaluation jobs, tests and updates call it as before) and K members cost about one member's
 * wall time on a machine with K free cores.
 * @module
 */
import { EdgemimeError, InvalidInputError } from '../common/errors.js'
import { startWorker } from '../common/worker-url.js'
import type { Baseline } from './baseline.js'
import { mergeMembers } from './ensemble.js'
import { PitotModel, type Standardizer } from './model.js'
import { train, type PoolRows, type TrainOptions, type TrainResult } from './train.js'
import type { Dataset, ModelConfig } from './types.js'

/** Seed of member m: far-apart streams; member 0 keeps the configured seed. */
export const memberSeed = (seed: number, m: number): number => seed + 7877 * m

/** What a member worker is started with (structured-cloned, plus its shared memory). */
export interface MemberJob {
  ds: Dataset; config: ModelConfig; scalers: { platform: Standardizer; workload: Standardizer }; base: Baseline
  trainRows: PoolRows; valRows: PoolRows; opts: Omit<TrainOptions, 'onProgress'>; shared: SharedArrayBuffer
}

const ERROR_BYTES = 4096

/** Views of a member's shared memory: status [done flag, progress ticks], result, error text, weights. */
export function memberSlots(shared: SharedArrayBuffer) {
  return {
    status: new Int32Array(shared, 0, 2),
    result: new Float64Array(shared, 8, 4),
    error: new Uint8Array(shared, 40, ERROR_BYTES),
    values: new Float32Array(shared, 40 + ERROR_BYTES),
  }
}

/** A worker that reports no progress for this long is taken as lost (it validates every few seconds). */
const STALL_MS = 300_000

function awaitMember(shared: SharedArrayBuffer, m: number): { values: Float32Array; training: TrainResult } {
  const s = memberSlots(shared)
  let ticks = -1, since = performance.now()
  while (Atomics.load(s.status, 0) === 0) {
    Atomics.wait(s.status, 0, 0, 1000)
    const t = Atomics.load(s.status, 1)
    if (t !== ticks) { ticks = t; since = performance.now() }
    else if (performance.now() - since > STALL_MS) throw new EdgemimeError(`ensemble member ${m}: its training thread stopped responding`)
  }
  if (Atomics.load(s.status, 0) === 2) {
    const text = new TextDecoder().decode(s.error.slice(0, s.error.indexOf(0) < 0 ? s.error.length : s.error.indexOf(0)))
    throw new EdgemimeError(`ensemble member ${m} failed: ${text}`)
  }
  const [steps, bestStep, bestValLoss, seconds] = s.result
  return { values: s.values, training: { steps, bestStep, bestValLoss, seconds } }
}

export interface MemberInputs {
  ds: Dataset; config: ModelConfig; scalers: MemberJob['scalers']; base: Baseline; trainRows: PoolRows; valRows: PoolRows
}

/**
 * Trains config.members members and merges them; the training record is member 0's, with
 * `seconds` the wall time of training them all (about one member's with threads and free cores).
 */
export function trainMembers({ ds, config, scalers, base, trainRows, valRows }: MemberInputs, opts: TrainOptions & { threads?: boolean } = {}): { model: PitotModel; training: TrainResult } {
  const K = config.members ?? 1
  if (!(Number.isInteger(K) && K >= 1 && K <= 16)) throw new InvalidInputError(`members must be an integer in 1..16, got ${JSON.stringify(config.members)}`)
  const configs = Array.from({ length: K }, (_, m) => ({ ...config, members: 1, seed: memberSeed(config.seed, m) }))
  const build = (c: ModelConfig) => new PitotModel(c, ds.platforms, ds.workloads, scalers, base)
  const { threads, onProgress, ...trainOpts } = opts
  const start = performance.now()
  const models = configs.map(build)
  // A thread member's model here only receives its weights; it also sizes the shared memory.
  const remote = threads ? models.slice(1).map((m) => {
    const size = m.params().reduce((n, p) => n + p.value.length, 0)
    const shared = new SharedArrayBuffer(40 + ERROR_BYTES + 4 * size)
    const job: MemberJob = { ds, config: m.config, scalers, base, trainRows, valRows, opts: trainOpts, shared }
    const worker = startWorker(import.meta.url, 'member-worker', { workerData: job })
    return { shared, worker }
  }) : []
  try {
    const trainings: TrainResult[] = []
    models.forEach((m, i) => {
      if (i === 0 || !threads) { trainings.push(train(m, ds.pools, trainRows, valRows, i === 0 ? { ...trainOpts, onProgress } : trainOpts)); return }
      const r = awaitMember(remote[i - 1].shared, i)
      let at = 0
      for (const p of m.params()) { p.value.set(r.values.subarray(at, at + p.value.length)); at += p.value.length }
      trainings.push(r.training)
    })
    const model = mergeMembers(models, ds.platforms, ds.workloads)
    return { model, training: { ...trainings[0], seconds: (performance.now() - start) / 1000 } }
  } finally {
    for (const r of remote) void r.worker.terminate()
  }
}
