/**
 * Runs evaluation jobs on a small pool of worker threads (replicates are independent), showing
 * progress; results come back in job order.
 * @module
 */
import { availableParallelism } from 'node:os'
import { EdgemimeError } from '../common/errors.js'
import { progressBar } from '../common/progress.js'
import { startWorker } from '../common/worker-url.js'
import type { Job, JobResult } from './protocol.js'

export interface RunOptions { workers?: number; progress?: boolean }

export async function runJobs(jobs: Job[], { workers = Math.min(2, availableParallelism()), progress = true }: RunOptions = {}): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length)
  const bar = progressBar('predictor eval', jobs.length, progress)
  let next = 0, done = 0
  const pool = Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, () => startWorker(import.meta.url, 'eval-worker'))
  try {
    await Promise.all(pool.map((w) => new Promise<void>((resolve, reject) => {
      const feed = () => {
        if (next >= jobs.length) { resolve(); return }
        const at = next++
        w.once('message', (msg: { ok: boolean; result?: JobResult; error?: string }) => {
          if (!msg.ok) { reject(new EdgemimeError(`eval job ${JSON.stringify(jobs[at])} failed: ${msg.error}`)); return }
          results[at] = msg.result!
          bar.update(++done, `${jobs[at].variant} s=${jobs[at].split} rep ${jobs[at].replicate} (${msg.result!.trainSeconds.toFixed(0)} s)`)
          feed()
        })
        w.postMessage(jobs[at])
      }
      w.once('error', reject)
      feed()
    })))
  } finally {
    bar.stop()
    await Promise.all(pool.map((w) => w.terminate()))
  }
  return results
}
