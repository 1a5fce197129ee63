/**
 * Background collection jobs of the generator (issue 6): one at a time, and never beside a replay,
 * because both hold the device's cores (ReplayManager.occupy). Each job runs the generator's
 * collect() in a worker thread, streams its progress through the same event plumbing as replays,
 * and keeps its record in its own sublevel. The dataset is resumable, so a stopped, failed or
 * interrupted job continues when started again under the same name.
 * @module
 */
import { join, resolve } from 'node:path'
import type { Worker } from 'node:worker_threads'
import type { z } from '@hono/zod-openapi'
import type { Config } from '../common/config.js'
import { ConflictError, NotFoundError } from '../common/errors.js'
import { startWorker } from '../common/worker-url.js'
import { ReplayEvents } from './events.js'
import type { CollectMessage } from './generator-collect-worker.js'
import type { ReplayManager } from './replay-manager.js'
import type { JobRecordSchema, StartJobSchema } from './schemas.js'
import { newId, type Store, type Sub } from './store.js'
import type { TelemetrySample } from './telemetry-hub.js'

export type JobRecord = z.infer<typeof JobRecordSchema>
export type StartJob = z.infer<typeof StartJobSchema>

export type JobEvent =
  | { event: 'state'; data: JobRecord }
  | { event: 'progress'; data: { windowsDone: number; windows: number } }
  | { event: 'telemetry'; data: TelemetrySample }
  | { event: 'end'; data: JobRecord }

/** Progress is written to the store at most this often (the final record with fsync). */
const FLUSH_MS = 1000
/** A stop waits this long for collect() to notice the abort before the worker is terminated. */
const STOP_GRACE_MS = 3000

interface Active {
  record: JobRecord
  worker: Worker
  done: Promise<void>
  stopReason?: string
  writes: Promise<void>
  lastFlush: number
}

export interface GeneratorJobsDeps {
  store: Store
  replays: ReplayManager
  config(): Config
}

export class GeneratorJobs {
  readonly events = new ReplayEvents<JobEvent>()
  readonly #d: GeneratorJobsDeps
  readonly #jobs: Sub<JobRecord>
  #active: Active | undefined

  private constructor(deps: GeneratorJobsDeps) {
    this.#d = deps
    this.#jobs = deps.store.db.sublevel<string, JobRecord>('generator-jobs', { valueEncoding: 'json' })
  }

  /** Opens the job records and marks the ones a crash left 'running' as interrupted. */
  static async open(deps: GeneratorJobsDeps): Promise<GeneratorJobs> {
    const jobs = new GeneratorJobs(deps)
    const stale = (await deps.store.values(jobs.#jobs)).filter((j) => j.state === 'running')
    const reason = 'the daemon stopped without shutting down; start a job with the same name to resume the dataset'
    for (const j of stale) await deps.store.putSync(jobs.#jobs, j.id, { ...j, state: 'interrupted', endedAt: Date.now(), reason })
    return jobs
  }

  current(): JobRecord | undefined {
    return this.#active && structuredClone(this.#active.record)
  }

  async get(id: string): Promise<JobRecord> {
    if (this.#active?.record.id === id) return structuredClone(this.#active.record)
    const j = await this.#jobs.get(id)
    if (!j) throw new NotFoundError(`no generator job '${id}'`)
    return j
  }

  /** Job records, newest first. */
  async list(limit: number): Promise<JobRecord[]> {
    const live = this.current()
    return (await this.#d.store.values(this.#jobs, { reverse: true, limit })).map((j) => (live && j.id === live.id ? live : j))
  }

  /**
   * Starts a collection job into `<generator.dataDir>/<name>` (resuming a dataset there).
   * @throws ConflictError while a replay or another job holds the device.
   */
  async start(req: StartJob): Promise<JobRecord> {
    const config = this.#d.config()
    const id = newId('j')
    // Claim the device before the first await so a concurrent request sees it busy.
    const release = this.#d.replays.occupy({ what: `generator job ${id} (collection '${req.name}')`, stop: `DELETE /v1/generator/jobs/${id}` })
    const dir = resolve(config.generator?.dataDir ?? join(config.dataDir, 'generator-data'), req.name)
    const record: JobRecord = {
      id, kind: 'collect', name: req.name, dir, state: 'running', strategy: req.strategy, oneKindPerThread: req.oneKindPerThread,
      windowMs: req.windowMs, windows: req.windows, windowsDone: 0, createdAt: Date.now(),
    }
    try {
      await this.#d.store.putSync(this.#jobs, id, record)
    } catch (err) {
      release()
      throw err
    }
    const worker = startWorker(import.meta.url, 'generator-collect-worker', {
      workerData: { out: dir, windows: req.windows, windowMs: req.windowMs, strategy: req.strategy, oneKindPerThread: req.oneKindPerThread },
      env: capsEnv(config),
    })
    const active: Active = { record, worker, done: Promise.resolve(), writes: Promise.resolve(), lastFlush: Date.now() }
    this.#active = active
    active.done = this.#follow(active, release)
    this.events.publish(id, { event: 'state', data: structuredClone(record) })
    return structuredClone(record)
  }

  /**
   * Stops the running job `id`; resolves with its final record once its stressors have stopped.
   * @throws NotFoundError for an unknown id; ConflictError when it is not running.
   */
  async stop(id: string, reason = 'stopped by request', graceMs = STOP_GRACE_MS): Promise<JobRecord> {
    const active = this.#active
    if (active?.record.id !== id) throw new ConflictError(`generator job ${id} is not running (${(await this.get(id)).state})`)
    active.stopReason = reason
    active.worker.postMessage('stop')
    const timer = setTimeout(() => { void active.worker.terminate() }, graceMs)
    await active.done
    clearTimeout(timer)
    return this.get(id)
  }

  /** Stops the running job quickly (daemon shutdown). */
  async shutdown(reason: string): Promise<void> {
    if (this.#active) await this.stop(this.#active.record.id, reason, 250)
  }

  /**
   * Relays the worker's messages until it exits, then stores the final record and frees the
   * device. Until both are done the job reads as running, so whoever sees it ended can start a
   * replay at once.
   */
  async #follow(active: Active, release: () => void): Promise<void> {
    const { record, worker } = active
    let outcome: CollectMessage | undefined
    const exitCode = await new Promise<number>((res) => {
      worker.on('message', (m: CollectMessage) => {
        if (m.type !== 'progress') { outcome = m; return }
        record.windowsDone = m.done
        this.events.publish(record.id, { event: 'progress', data: { windowsDone: m.done, windows: m.total } })
        if (Date.now() - active.lastFlush >= FLUSH_MS) this.#flush(active)
      })
      worker.on('error', (err: Error) => { outcome ??= { type: 'error', message: err.message } })
      worker.on('exit', res)
    })
    if (outcome?.type === 'done') record.windowsDone = outcome.samples
    const final: JobRecord = { ...structuredClone(record), endedAt: Date.now() }
    if (active.stopReason !== undefined) {
      Object.assign(final, { state: 'stopped', reason: active.stopReason })
    } else if (outcome?.type === 'done') {
      final.state = 'completed'
    } else {
      Object.assign(final, { state: 'failed', reason: outcome?.type === 'error' ? outcome.message : `collection worker exited with code ${exitCode}` })
    }
    try {
      await active.writes
      await this.#d.store.putSync(this.#jobs, final.id, final)
    } finally {
      this.#active = undefined
      release()
    }
    this.events.publish(final.id, { event: 'end', data: final })
  }

  /** Writes the record's progress (no fsync; a failed write only loses progress, the end is written again). */
  #flush(active: Active): void {
    active.lastFlush = Date.now()
    const snapshot = structuredClone(active.record)
    active.writes = active.writes.then(() => this.#jobs.put(snapshot.id, snapshot)).catch(() => {})
  }
}

/**
 * collect() sizes its executor from loadConfig() in the worker, which reads the defaults and the
 * environment; the worker's own environment carries the daemon's caps so that its disk files go
 * to caps.diskDir and its buffers stay within caps.maxMemoryBytes.
 */
function capsEnv({ caps }: Config): NodeJS.ProcessEnv {
  return {
    ...process.env,
    EDGEMIME_CAPS_MAX_THREADS: String(caps.maxThreads),
    EDGEMIME_CAPS_MAX_MEMORY_BYTES: String(caps.maxMemoryBytes),
    EDGEMIME_CAPS_DISK_DIR: caps.diskDir,
    EDGEMIME_CAPS_DISK_QUOTA_BYTES: String(caps.diskQuotaBytes),
    EDGEMIME_CAPS_MAX_DURATION_S: String(caps.maxDurationS),
  }
}
