/**
 * Starts a worker thread from a script beside the calling module. Installed, the sources run as
 * compiled .js from dist/ and the worker is a plain file. Under the test runner they run as .ts
 * through tsx, whose loader hook (Node 20) does not reach worker threads, so the worker is
 * started through a tiny bootstrap that registers tsx first.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads'

export function startWorker(callerUrl: string, basename: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${basename}.js`, callerUrl), options)
  const entry = new URL(`./${basename}.ts`, callerUrl).href
  // Resolved here, not in the worker: an eval'd worker resolves bare specifiers from the current
  // directory, which need not be inside this package.
  const tsxApi = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}
