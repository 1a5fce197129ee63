/**
 * Instruments a module in a worker thread: binaryen's module is 10 MB of JS + wasm and its
 * passes are CPU-bound, so neither its load nor the rewrite should stall a daemon's event loop.
 * @module
 */
import { startWorker } from '../common/worker-url.js'
import { InvalidInputError } from '../common/errors.js'
import type { Instrumented } from './instrument.js'

/** Runs instrument() in a fresh worker. @throws InvalidInputError as instrument() does. */
export function instrumentInWorker(wasm: Uint8Array): Promise<Instrumented> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'instrument-worker', { workerData: wasm, preload: ['binaryen'] })
    worker.once('message', (m: { ok: boolean; message?: string } & Instrumented) => {
      if (m.ok) resolve({ wasm: m.wasm, histograms: m.histograms })
      else reject(new InvalidInputError(m.message ?? 'instrumentation failed'))
      void worker.terminate()
    })
    worker.once('error', (e: Error) => reject(new InvalidInputError(`instrumentation failed: ${e.message}`)))
  })
}
