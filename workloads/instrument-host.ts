/**
 * Instruments a module in a worker thread: binaryen's module is 10 MB of JS + wasm and its
 * passes are CPU-bound, so neither its load nor the rewrite should stall a daemon's event loop.
 * @module
 */
import { Worker } from 'node:worker_threads'
import { startWorker } from '../common/worker-url.js'
import { InvalidInputError } from '../common/errors.js'
import type { Instrumented } from './instrument.js'

/** Runs instrument() in a fresh worker. @throws InvalidInputError as instrument() does. */
export function instrumentInWorker(wasm: Uint8Array): Promise<Instrumented> {
  return new Promise((resolve, reject) => {
    const worker = start(wasm)
    worker.once('message', (m: { ok: boolean; message?: string } & Instrumented) => {
      if (m.ok) resolve({ wasm: m.wasm, histograms: m.histograms })
      else reject(new InvalidInputError(m.message ?? 'instrumentation failed'))
      void worker.terminate()
    })
    worker.once('error', (e: Error) => reject(new InvalidInputError(`instrumentation failed: ${e.message}`)))
  })
}

function start(wasm: Uint8Array): Worker {
  if (!import.meta.url.endsWith('.ts')) return startWorker(import.meta.url, 'instrument-worker', { workerData: wasm })
  // NOTE: under tsx, loading binaryen through tsx's loader hooks takes ~15x longer than plain
  // Node (tens of seconds on a loaded machine). Import it before registering tsx so the worker's
  // own `import 'binaryen'` is a module-cache hit. Built code (dist/) takes the branch above.
  const entry = new URL('./instrument-worker.ts', import.meta.url).href
  const bootstrap = `import('binaryen').then(() => import('tsx/esm/api')).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(bootstrap, { eval: true, workerData: wasm })
}
