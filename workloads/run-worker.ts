/**
 * Worker-thread entry that runs one WASI workload. Each run gets its own thread, so a trap,
 * a runaway loop (terminated by the parent) or a crash of the guest never reaches the daemon.
 * Posts {type:'started'} after instantiation and {type:'done', code, runtimeMs, memoryBytes}.
 * @module
 */
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { parentPort, workerData } from 'node:worker_threads'
import { WASI } from 'node:wasi'
import { setCurrentThreadPriority } from '../native/index.js'
import { COUNTER_PREFIX } from './types.js'

export interface RunWorkerData {
  kind: 'preview1' | 'preview2'
  /** preview1: path of the (memory-capped) core module; preview2: URL of the transpiled JS. */
  entry: string
  argv: string[]
  rootDir: string
  stdoutPath: string
  stderrPath: string
  /** URLs of the preview2-shim cli and filesystem modules the transpiled JS imports. */
  shim?: { cli: string; filesystem: string }
  /** Number of opcode-count globals (${COUNTER_PREFIX}<i>) to read back after the run. */
  counters?: number
}

// Threads inherit their creator's nice value: under a daemon that raised its API thread
// (daemon/priority.ts) the workload must still compete at the normal level, like the stressors.
setCurrentThreadPriority(0, 'nice')

const data = workerData as RunWorkerData
const port = parentPort!

async function runPreview1(): Promise<void> {
  const out = openSync(data.stdoutPath, 'w')
  const err = openSync(data.stderrPath, 'w')
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: data.argv,
      env: {},
      preopens: { '/': data.rootDir, '.': data.rootDir },
      stdout: out,
      stderr: err,
      returnOnExit: true,
    })
    const module = await WebAssembly.compile(await readFile(data.entry))
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports)
    port.postMessage({ type: 'started' })
    const t0 = performance.now()
    const code = wasi.start(instance)
    const runtimeMs = performance.now() - t0
    const memory = instance.exports.memory as WebAssembly.Memory | undefined
    const counters = Array.from({ length: data.counters ?? 0 }, (_, i) => Number((instance.exports[COUNTER_PREFIX + i] as WebAssembly.Global).value))
    port.postMessage({ type: 'done', code, runtimeMs, memoryBytes: memory?.buffer.byteLength ?? 0, counters })
  } finally {
    closeSync(out)
    closeSync(err)
  }
}

async function runPreview2(): Promise<void> {
  const cli = await import(data.shim!.cli)
  const fs = await import(data.shim!.filesystem)
  cli._setArgs(data.argv)
  cli._setEnv({})
  fs._setPreopens({ '/': data.rootDir })
  const component = await import(data.entry)
  port.postMessage({ type: 'started' })
  const t0 = performance.now()
  // A non-zero exit ends this thread through process.exit; the parent reads the exit code.
  component.run.run()
  port.postMessage({ type: 'done', code: 0, runtimeMs: performance.now() - t0, memoryBytes: 0 })
}

;(data.kind === 'preview1' ? runPreview1() : runPreview2()).catch((e: unknown) => {
  const trap = e instanceof WebAssembly.RuntimeError
  port.postMessage({ type: trap ? 'trap' : 'error', message: e instanceof Error ? e.message : String(e) })
})
