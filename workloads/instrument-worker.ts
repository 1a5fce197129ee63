/**
 * Worker-thread entry that instruments one module (see instrument.ts) off the caller's thread.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads'
import { instrument } from './instrument.js'

try {
  const out = instrument(workerData as Uint8Array)
  parentPort!.postMessage({ ok: true, ...out }, [out.wasm.buffer as ArrayBuffer])
} catch (e) {
  parentPort!.postMessage({ ok: false, message: (e as Error).message })
}
