/**
 * Starts a worker thread from a script beside the calling module. Installed, the sources run as
 * compiled .js from dist/ and the worker is a plain file. Under the test runner they run as .ts
 * through tsx, whose loader hook (Node 20) does not reach worker threads, so the worker is
 * started through a tiny bootstrap that registers tsx first.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads'

export interface StartWorkerOptions extends WorkerOptions {
  /**
   * Packages the worker imports before tsx is registered (sources only): loading a large package
   * such as binaryen through tsx's hooks is an order of magnitude slower than plain Node, and
   * a preloaded package is a module-cache hit for the worker's own import.
   */
  preload?: string[]
}

export function startWorker(callerUrl: string, basename: string, { preload = [], ...options }: StartWorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${basename}.js`, callerUrl), options)
  const entry = new URL(`./${basename}.ts`, callerUrl).href
  // Resolved here, not in the worker: an eval'd worker resolves bare specifiers from the current
  // directory, which need not be inside this package.
  const tsxApi = import.meta.resolve('tsx/esm/api')
  const preloads = preload.map((p) => `import(${JSON.stringify(import.meta.resolve(p))})`).join(', ')
  const bootstrap = `Promise.all([${preloads}]).then(() => import(${JSON.stringify(tsxApi)})).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}
