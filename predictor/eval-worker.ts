/**
 * Worker thread of `predictor eval`: runs the jobs it is sent, one at a time, on a dataset it
 * loads once per directory.
 * @module
 */
import { parentPort } from 'node:worker_threads'
import { loadDataset } from './data.js'
import { runJob, type Job } from './protocol.js'
import type { Dataset } from './types.js'

const cache = new Map<string, Dataset>()

parentPort?.on('message', (job: Job) => {
  try {
    let ds = cache.get(job.data)
    if (!ds) { ds = loadDataset(job.data); cache.set(job.data, ds) }
    parentPort!.postMessage({ ok: true, result: runJob(job, ds) })
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: (err as Error).message })
  }
})
