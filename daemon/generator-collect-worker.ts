/**
 * Worker thread of a generator collection job: runs the generator's collect() off the API thread
 * (novelty rounds fit tree ensembles for seconds, which would stall the API), posts progress, and
 * stops when the daemon posts 'stop'.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { collect, type CollectOptions } from '../generator/index.js'

/** Messages to the daemon. */
export type CollectMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; samples: number }
  | { type: 'error'; message: string }

const port = parentPort!
const abort = new AbortController()
port.on('message', (m) => { if (m === 'stop') abort.abort() })
const post = (m: CollectMessage) => port.postMessage(m)
try {
  const opts = workerData as Omit<CollectOptions, 'signal' | 'onProgress'>
  const ds = await collect({ ...opts, signal: abort.signal, onProgress: (done, total) => post({ type: 'progress', done, total }) })
  post({ type: 'done', samples: ds.samples.length })
} catch (err) {
  post({ type: 'error', message: (err as Error).message })
} finally {
  port.close()
}
