/**
 * Runs one WASI workload in its own worker thread under a wall-time and a memory limit and
 * reports how it ended. Never throws for anything the guest does: traps, non-zero exits,
 * timeouts and memory exhaustion come back as a RunResult.
 * @module
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { startWorker } from '../common/worker-url.js'
import { InvalidInputError } from '../common/errors.js'
import { capMemory } from './memory-cap.js'
import { prepareComponent, shimUrl, wasmKind } from './component.js'
import type { RunWorkerData } from './run-worker.js'
import type { RunResult, RunStatus, WorkloadSpec } from './types.js'

/** Defaults of a run when the spec leaves them out. */
export const RUN_DEFAULTS = { wallLimitMs: 30_000, memoryLimitBytes: 256 * 2 ** 20 }
const OUTPUT_LIMIT = 64 * 1024
const OOM_FRACTION = 0.9
/** Node's own warnings (WASI is experimental) are the host's, not the guest's output. */
const NODE_WARNING = /\(node:\d+\) \w*Warning: [^\n]*\n(\(Use \x60node --trace-warnings[^\n]*\n)?/g

export interface RunnerOptions {
  /** Where transpiled components are cached; defaults to a folder under the OS temp dir. */
  cacheDir?: string
  /** Read back this many opcode-count globals (profiling runs of instrumented modules). */
  counters?: number
  /** Stops the run (status 'cancelled') when aborted: nobody is left to take its result. */
  signal?: AbortSignal
}

/**
 * Runs `spec` to completion (or to its limit).
 * @throws InvalidInputError only for input that cannot be a workload (not wasm, bad file names).
 * @example
 * const r = await runWorkload({ wasm, args: ['64'], wallLimitMs: 5000 })
 * if (r.status === 'ok') console.log(r.runtimeMs, r.stdout)
 */
export async function runWorkload(spec: WorkloadSpec, { cacheDir = join(tmpdir(), 'edgemime-components'), counters, signal }: RunnerOptions = {}): Promise<RunResult> {
  const t0 = performance.now()
  const kind = wasmKind(spec.wasm)
  const wallLimitMs = spec.wallLimitMs ?? RUN_DEFAULTS.wallLimitMs
  const memoryLimitBytes = spec.memoryLimitBytes ?? RUN_DEFAULTS.memoryLimitBytes
  const work = await mkdtemp(join(tmpdir(), 'edgemime-run-'))
  try {
    const rootDir = join(work, 'root')
    await mkdir(rootDir)
    await writeInputs(rootDir, spec.files ?? {})
    let entry: string
    if (kind === 'preview1') {
      entry = join(work, 'module.wasm')
      await writeFile(entry, capMemory(spec.wasm, memoryLimitBytes))
    } else {
      entry = await prepareComponent(spec.wasm, memoryLimitBytes, cacheDir)
    }
    const data: RunWorkerData = {
      kind, entry, rootDir,
      argv: [spec.name ?? 'workload', ...(spec.args ?? [])],
      stdoutPath: join(work, 'stdout'),
      stderrPath: join(work, 'stderr'),
      counters,
      shim: kind === 'preview2' ? { cli: shimUrl('cli'), filesystem: shimUrl('filesystem') } : undefined,
    }
    const outcome = await superviseWorker(data, wallLimitMs, memoryLimitBytes, signal)
    const stdout = (kind === 'preview1' ? await readCapped(data.stdoutPath) : '') + outcome.stdout
    const stderr = (kind === 'preview1' ? await readCapped(data.stderrPath) : '') + outcome.stderr
    return { ...outcome, stdout: stdout.slice(0, OUTPUT_LIMIT), stderr: stderr.slice(0, OUTPUT_LIMIT), kind, totalMs: performance.now() - t0 }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

async function writeInputs(rootDir: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = resolve(rootDir, name)
    if (!path.startsWith(rootDir + '/')) throw new InvalidInputError(`input file name '${name}' escapes the workload's directory`)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, content)
  }
}

async function readCapped(path: string): Promise<string> {
  try { return (await readFile(path)).subarray(0, OUTPUT_LIMIT).toString('utf8') } catch { return '' }
}

type Outcome = Omit<RunResult, 'kind' | 'totalMs'>

/** Starts the worker, enforces the wall limit and `signal`, and turns whatever happens into an Outcome. */
function superviseWorker(data: RunWorkerData, wallLimitMs: number, memoryLimitBytes: number, signal?: AbortSignal): Promise<Outcome> {
  return new Promise((done) => {
    // The JS heap limit only matters for jco's glue code; guest memory is capped in the module.
    const worker = startWorker(import.meta.url, 'run-worker', {
      workerData: data, stdout: true, stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    })
    let stdout = ''
    let stderr = ''
    worker.stdout.on('data', (c: Buffer) => { if (stdout.length < OUTPUT_LIMIT) stdout += c.toString('utf8') })
    worker.stderr.on('data', (c: Buffer) => { if (stderr.length < OUTPUT_LIMIT) stderr += c.toString('utf8').replace(NODE_WARNING, '') })
    let startedAt = performance.now()
    let settled = false
    let counters: number[] | undefined
    const finish = (status: RunStatus, exitCode: number | null, runtimeMs: number, message: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', cancel)
      // Answer once the thread is gone and its piped stdout/stderr (preview2 guests) have drained.
      const drained = [worker.stdout, worker.stderr].map((s) => new Promise((r) => { if (s.readableEnded) r(null); else s.once('end', r).once('close', r) }))
      void worker.terminate().then(() => Promise.all(drained)).then(() => done({ status, exitCode, runtimeMs, stdout, stderr, message, counters }))
    }
    const timer = setTimeout(() => finish('timeout', null, performance.now() - startedAt, `wall-time limit of ${wallLimitMs} ms reached`), wallLimitMs)
    const cancel = () => finish('cancelled', null, performance.now() - startedAt, `cancelled: ${signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? 'aborted')}`)
    if (signal?.aborted) cancel()
    else signal?.addEventListener('abort', cancel, { once: true })
    worker.on('message', (m: { type: string; code?: number; runtimeMs?: number; memoryBytes?: number; message?: string; counters?: number[] }) => {
      if (m.type === 'started') startedAt = performance.now()
      else if (m.type === 'done') {
        counters = m.counters
        const code = m.code ?? 0
        // A failed memory.grow is invisible from outside; a failing exit with memory near the cap is
        // the signature of an allocation refused by the limit.
        const atCap = (m.memoryBytes ?? 0) >= OOM_FRACTION * memoryLimitBytes
        if (code === 0) finish('ok', 0, m.runtimeMs!, '')
        else finish(atCap ? 'oom' : 'exit', code, m.runtimeMs!, atCap ? `exited with code ${code} with memory at ${m.memoryBytes} of its ${memoryLimitBytes}-byte limit` : `exited with code ${code}`)
      } else if (m.type === 'trap') finish('trap', null, performance.now() - startedAt, `trap: ${m.message}`)
      else finish('error', null, performance.now() - startedAt, m.message ?? 'worker error')
    })
    worker.on('error', (e: Error & { code?: string }) => {
      const oom = e.code === 'ERR_WORKER_OUT_OF_MEMORY'
      finish(oom ? 'oom' : 'error', null, performance.now() - startedAt, oom ? 'worker ran out of heap' : e.message)
    })
    worker.on('exit', (code) => {
      // A preview2 guest's exit() ends the thread; code 0 without 'done' is a normal return via exit(0).
      if (code === 0) finish('ok', 0, performance.now() - startedAt, '')
      else finish('exit', code, performance.now() - startedAt, `exited with code ${code}`)
    })
  })
}
