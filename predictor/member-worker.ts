/**
 * Worker thread that trains one ensemble member (predictor/members.ts): it builds the member
 * from the inputs it was started with, trains it, and writes the weights into shared memory,
 * so the parent can wait for it synchronously while it trains another member itself.
 * @module
 */
import { workerData } from 'node:worker_threads'
import { PitotModel } from './model.js'
import { train } from './train.js'
import { memberSlots, type MemberJob } from './members.js'

const job = workerData as MemberJob
const slots = memberSlots(job.shared)
try {
  const { ds, config, scalers, base, trainRows, valRows, opts } = job
  const m = new PitotModel(config, ds.platforms, ds.workloads, scalers, base)
  const r = train(m, ds.pools, trainRows, valRows, { ...opts, onProgress: () => { Atomics.add(slots.status, 1, 1) } })
  let at = 0
  for (const p of m.params()) { slots.values.set(p.value, at); at += p.value.length }
  slots.result.set([r.steps, r.bestStep, r.bestValLoss, r.seconds])
  Atomics.store(slots.status, 0, 1)
} catch (err) {
  const bytes = new TextEncoder().encode(String((err as Error)?.message ?? err))
  slots.error.set(bytes.subarray(0, slots.error.length))
  Atomics.store(slots.status, 0, 2)
}
Atomics.notify(slots.status, 0)
