/**
 * The executor: K persistent stressor worker threads that replay compositions window by
 * window against one monotonic anchor, so lateness in one window never shifts the next.
 * @module
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import type { Caps } from '../common/config.js'
import { CapExceededError, ConflictError, EdgemimeError, InvalidInputError } from '../common/errors.js'
import { startWorker } from '../common/worker-url.js'
import { checkCaps } from './caps.js'
import { stressorCatalog, type StressorSpec } from './catalog.js'
import { monoMs } from './clock.js'
import type { Composition } from './composition.js'
import { resolveStressors, stressorsOnThread, threadLayout, workerStressor } from './footprint.js'
import { CTRL_ABORT, type FromWorker, type ToWorker } from './protocol.js'
import { ReportBuilder } from './report.js'
import type { EntryReport, ExecutorOptions, ReplayOptions, ReplayReport } from './report-types.js'

interface RunOptions { signal?: AbortSignal, onWindow?: ReplayOptions['onWindow'], first: number, count: number, keepWindows: boolean }

/** How long close() lets a running replay wind down before terminating its threads. */
const CLOSE_GRACE_MS = 1000

/** Lead time between "all workers prepared" and the first window's planned start: room for the
 * run message to reach every worker on a busy machine. */
const LEAD_MS = 50

/**
 * @example
 * const ex = await Executor.create({ threads: 2, caps: loadConfig().caps })
 * const report = await ex.replay(parseComposition(json), { onWindow: (w) => console.log(w.index) })
 * await ex.close()
 */
export class Executor {
  readonly #workers: Worker[]
  readonly #ctrl: Int32Array
  readonly #caps: Caps
  readonly #runtime: ReplayReport['runtime']
  readonly #catalog: StressorSpec[] = stressorCatalog()
  /** The replay in progress, which close() lets wind down before stopping the threads. */
  #running: Promise<ReplayReport> | undefined
  #closed = false

  private constructor(workers: Worker[], ctrl: Int32Array, caps: Caps, runtime: ReplayReport['runtime']) {
    this.#workers = workers
    this.#ctrl = ctrl
    this.#caps = caps
    this.#runtime = runtime
  }

  /** Starts the worker threads (pinned and/or de-prioritised where the native addon can). */
  static async create(opts: ExecutorOptions): Promise<Executor> {
    const { threads, caps, pin = true, lowPriority = false } = opts
    if (!Number.isInteger(threads) || threads < 1) throw new InvalidInputError(`threads must be a positive integer, got ${threads}`)
    if (threads > caps.maxThreads) throw new CapExceededError(`executor needs ${threads} threads; the cap is ${caps.maxThreads}`)
    const ctrl = new SharedArrayBuffer(8)
    const workers = Array.from({ length: threads }, () => startWorker(import.meta.url, 'worker'))
    try {
      const ready = await Promise.all(workers.map((w, thread) =>
        request(w, { type: 'init', thread, ctrl, pin, lowPriority }, 'ready')))
      const runtime = {
        threads,
        pinned: ready.every((r) => r.pinned),
        lowPriority: ready.every((r) => r.lowPriority),
        native: ready[0]!.native,
      }
      return new Executor(workers, new Int32Array(ctrl), caps, runtime)
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()))
      throw e
    }
  }

  get threads(): number { return this.#workers.length }

  /**
   * Replays a parsed composition. Caps are checked first; nothing runs if they fail.
   * @throws InvalidInputError, CapExceededError, ConflictError (a replay is already running).
   */
  async replay(comp: Composition, opts: ReplayOptions = {}): Promise<ReplayReport> {
    const { signal, onWindow, repeat = 1, startAt = 0, keepWindows = true } = opts
    if (this.#closed) throw new ConflictError('executor is closed')
    if (this.#running) throw new ConflictError('a replay is already running on this executor')
    if (comp.threads > this.threads) throw new CapExceededError(`composition needs ${comp.threads} threads; the executor has ${this.threads}`)
    const T = comp.windows.length
    if (!Number.isInteger(repeat) || repeat < 1) throw new InvalidInputError(`repeat must be a positive integer, got ${repeat}`)
    if (!Number.isInteger(startAt) || startAt < 0 || startAt >= T * repeat) throw new InvalidInputError(`startAt must be an integer in [0, ${T * repeat}), got ${startAt}`)
    checkCaps(comp, this.#caps, { repeat, catalog: this.#catalog })
    this.#running = this.#replay(comp, { signal, onWindow, first: startAt, count: T * repeat - startAt, keepWindows })
    try {
      return await this.#running
    } finally {
      this.#running = undefined
    }
  }

  async #replay(comp: Composition, o: RunOptions): Promise<ReplayReport> {
    const active = this.#workers.slice(0, comp.threads)
    const files: string[] = []
    try {
      await this.#prepare(comp, active, files)
      if (o.signal?.aborted || this.#closed) return this.#empty(comp, o.keepWindows)
      return await this.#run(comp, active, o)
    } finally {
      // Settled, not all: a thread that died (close() during the replay) has nothing to release.
      await Promise.allSettled(active.map((w) => request(w, { type: 'release' }, 'prepared')))
      for (const f of files) rmSync(f, { force: true })
      if (!this.#closed) Atomics.store(this.#ctrl, CTRL_ABORT, 0)
    }
  }

  /**
   * Stops the workers. A replay in progress is aborted and given CLOSE_GRACE_MS to end as
   * interrupted (and remove its disk files); a thread stuck in a blocking call is then terminated.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    Atomics.store(this.#ctrl, CTRL_ABORT, 1)
    Atomics.notify(this.#ctrl, CTRL_ABORT)
    if (this.#running) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([this.#running.catch(() => undefined), new Promise((r) => { timer = setTimeout(r, CLOSE_GRACE_MS) })])
      clearTimeout(timer)
    }
    await Promise.all(this.#workers.map((w) => w.terminate()))
  }

  async #prepare(comp: Composition, active: Worker[], files: string[]): Promise<void> {
    const resolved = resolveStressors(comp, this.#catalog)
    await Promise.all(active.map((w, k) => {
      const used = stressorsOnThread(comp, k)
      const layout = threadLayout(resolved, used)
      const stressors = used.map((m) => workerStressor(m, resolved[m]!.spec, resolved[m]!.params, layout.offsets.get(m)))
      let diskFile: { path: string, bytes: number } | undefined
      if (layout.diskBytes > 0) {
        mkdirSync(this.#caps.diskDir, { recursive: true })
        diskFile = { path: join(this.#caps.diskDir, `edgemime-stressor-${process.pid}-${k}.dat`), bytes: layout.diskBytes }
        files.push(diskFile.path)
      }
      const fractions = comp.windows.map((win) => win.map((row) => row[k]!))
      return request(w, { type: 'prepare', memoryBytes: layout.memoryBytes, stressors, fractions, windowMs: comp.windowMs, diskFile }, 'prepared')
    }))
  }

  #run(comp: Composition, active: Worker[], o: RunOptions): Promise<ReplayReport> {
    const W = comp.windowMs
    const names = comp.stressors.map((s) => s.name)
    const builder = new ReportBuilder(W, names, o.keepWindows)
    const pending = new Map<number, { got: number, start: number, entries: EntryReport[] }>()
    const anchor = monoMs() + LEAD_MS
    let aborted = false
    const abort = () => {
      Atomics.store(this.#ctrl, CTRL_ABORT, 1)
      Atomics.notify(this.#ctrl, CTRL_ABORT)
    }
    o.signal?.addEventListener('abort', abort, { once: true })
    return new Promise<ReplayReport>((resolve, reject) => {
      let done = 0
      const cleanups: (() => void)[] = []
      const finish = (err?: Error) => {
        for (const c of cleanups) c()
        o.signal?.removeEventListener('abort', abort)
        if (err) { abort(); reject(err) } else resolve(builder.finish(aborted, this.#runtime))
      }
      active.forEach((w, thread) => {
        const onMessage = (msg: FromWorker) => {
          if (msg.type === 'error') return finish(new EdgemimeError(`stressor thread ${thread}: ${msg.message}`))
          if (msg.type === 'done') {
            aborted ||= msg.aborted
            if (++done === active.length) finish()
            return
          }
          if (msg.type !== 'window') return
          const p = pending.get(msg.index) ?? { got: 0, start: -Infinity, entries: [] }
          p.got++
          p.start = Math.max(p.start, msg.actualStartMs - anchor)
          for (const e of msg.entries) p.entries.push({ thread, name: names[e.stressor]!, ...e })
          pending.set(msg.index, p)
          if (p.got < active.length) return
          pending.delete(msg.index)
          const plannedStartMs = (msg.index - o.first) * W
          const report = { index: msg.index, plannedStartMs, actualStartMs: p.start, driftMs: p.start - plannedStartMs, entries: p.entries }
          builder.add(report)
          o.onWindow?.(report)
        }
        const onError = (e: Error) => finish(e)
        const onExit = () => finish(new EdgemimeError(`stressor thread ${thread} exited during the replay`))
        w.on('message', onMessage)
        w.on('error', onError)
        w.on('exit', onExit)
        cleanups.push(() => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit) })
        w.postMessage({ type: 'run', anchorMs: anchor, first: o.first, count: o.count } satisfies ToWorker)
      })
    })
  }

  #empty(comp: Composition, keepWindows: boolean): ReplayReport {
    return new ReportBuilder(comp.windowMs, comp.stressors.map((s) => s.name), keepWindows).finish(true, this.#runtime)
  }
}

/** Sends one message and waits for the worker's reply of the given type (or its error, or its exit). */
function request<T extends FromWorker['type']>(w: Worker, msg: ToWorker, reply: T): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = () => { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit) }
    const onMessage = (m: FromWorker) => {
      if (m.type !== reply && m.type !== 'error') return
      done()
      if (m.type === 'error') reject(new (m.code === 'EM_INVALID_INPUT' ? InvalidInputError : EdgemimeError)(m.message))
      else resolve(m as Extract<FromWorker, { type: T }>)
    }
    const onError = (e: Error) => { done(); reject(e) }
    const onExit = () => { done(); reject(new EdgemimeError('stressor thread exited')) }
    w.on('message', onMessage)
    w.on('error', onError)
    w.on('exit', onExit)
    w.postMessage(msg)
  })
}
