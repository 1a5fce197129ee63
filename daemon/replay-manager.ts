/**
 * One replay at a time per device: starts a composition on the engine, keeps its record in the
 * store current, publishes per-window progress, and stops it on request or shutdown. The record
 * is written with fsync when the replay starts and ends; window reports in between are batched
 * (at most once per FLUSH_MS) so that a busy replay does not hammer the disk.
 * @module
 */
import type { Caps } from '../common/config.js'
import { ConflictError, NotFoundError } from '../common/errors.js'
import type { CompositionShape, ReplayEngine } from './engine.js'
import type { ReplayEvents } from './events.js'
import type { DaemonMetrics } from './metrics.js'
import { newId, seqKey, type Store } from './store.js'
import type { ReplayRecord, ReplaySource, ReplayState, WindowSummary } from './types.js'

const FLUSH_MS = 1000

export interface StartRequest<C> {
  composition: C
  source: ReplaySource
  repeat?: number
  /** Epoch ms; default now. */
  startAt?: number
}

interface Active {
  record: ReplayRecord
  abort: AbortController
  done: Promise<void>
  pending: WindowSummary[]
  lastFlush: number
  /** Store writes, chained: level does not order concurrent writes. */
  writes: Promise<void>
  timer?: NodeJS.Timeout
}

export interface ReplayManagerDeps<C> {
  store: Store
  events: ReplayEvents
  metrics: DaemonMetrics
  engine: ReplayEngine<C>
  caps(): Caps
}

/** Non-replay work that holds the device (a generator collection job): what it is, how to stop it. */
export interface DeviceHolder { what: string; stop: string }

export class ReplayManager<C = unknown> {
  readonly #d: ReplayManagerDeps<C>
  #active: Active | undefined
  #holder: DeviceHolder | undefined

  constructor(deps: ReplayManagerDeps<C>) {
    this.#d = deps
  }

  /** The scheduled or running replay, if any. */
  current(): ReplayRecord | undefined {
    return this.#active && structuredClone(this.#active.record)
  }

  /** A replay by id: the live record if it is the active one, else the stored one. */
  async get(id: string): Promise<ReplayRecord> {
    if (this.#active?.record.id === id) return structuredClone(this.#active.record)
    const r = await this.#d.store.replays.get(id)
    if (!r) throw new NotFoundError(`no replay '${id}'`)
    return r
  }

  /**
   * Validates against the caps and starts the replay in the background.
   * @throws ConflictError while another replay is scheduled or running.
   * @throws CapExceededError when the composition (times its repeats) exceeds the caps.
   */
  async start(req: StartRequest<C>): Promise<ReplayRecord> {
    this.#assertFree()
    const caps = this.#d.caps()
    const { engine } = this.#d
    const repeat = req.repeat ?? 1
    engine.checkCaps(req.composition, caps, repeat)
    const shape: CompositionShape = engine.shape(req.composition)
    const now = Date.now()
    const startAt = Math.max(now, req.startAt ?? now)
    const record: ReplayRecord = {
      id: newId('r'), source: req.source, state: startAt > now ? 'scheduled' : 'running', createdAt: now, startAt,
      repeat, windowMs: shape.windowMs, threads: shape.threads, windowsTotal: shape.windows * repeat, windowsDone: 0,
      ...(startAt > now ? {} : { startedAt: now }),
    }
    // Claim the device before the first await so a concurrent request sees it busy.
    const active: Active = { record, abort: new AbortController(), done: Promise.resolve(), pending: [], lastFlush: now, writes: Promise.resolve() }
    this.#active = active
    try {
      await this.#d.store.putSync(this.#d.store.replays, record.id, record)
    } catch (err) {
      this.#active = undefined
      throw err
    }
    if (record.state === 'scheduled') {
      active.timer = setTimeout(() => this.#setState(active, 'running', { startedAt: Date.now() }), startAt - now)
    }
    this.#d.metrics.replayActive.set(1)
    this.#d.events.publish(record.id, { event: 'state', data: structuredClone(record) })
    active.done = this.#run(active, req.composition)
    return structuredClone(record)
  }

  /**
   * Stops the active replay `id` and waits until its stressors have stopped.
   * @throws NotFoundError if `id` is unknown; ConflictError if it already ended.
   */
  async stop(id: string, reason = 'stopped by request'): Promise<ReplayRecord> {
    const active = this.#active
    if (active?.record.id !== id) {
      const r = await this.get(id)
      throw new ConflictError(`replay ${id} is not running (${r.state})`)
    }
    active.record.reason = reason
    active.abort.abort(new Error(reason))
    await active.done
    return this.get(id)
  }

  /**
   * Holds the device for other work that runs stressors (a generator collection job) under the
   * same one-at-a-time rule as replays; call the returned function when it ends.
   * @throws ConflictError while a replay or another holder occupies the device.
   */
  occupy(holder: DeviceHolder): () => void {
    this.#assertFree()
    this.#holder = holder
    return () => { if (this.#holder === holder) this.#holder = undefined }
  }

  /** What holds the device besides a replay, if anything. */
  holder(): DeviceHolder | undefined {
    return this.#holder && { ...this.#holder }
  }

  #assertFree(): void {
    const busy = this.#active?.record
    if (busy) {
      throw new ConflictError(`replay ${busy.id} (${describeSource(busy.source)}) is ${busy.state}, window ${busy.windowsDone}/${busy.windowsTotal}: one replay at a time per device; stop it first (POST /v1/replays/${busy.id}/stop)`)
    }
    if (this.#holder) throw new ConflictError(`${this.#holder.what} holds the device: one replay or job at a time; stop it first (${this.#holder.stop})`)
  }

  /** Stops whatever runs (daemon shutdown); resolves when its record is stored. */
  async shutdown(reason: string): Promise<void> {
    if (this.#active) await this.stop(this.#active.record.id, reason)
  }

  async #run(active: Active, comp: C): Promise<void> {
    const { record, abort } = active
    let state: ReplayState = 'completed'
    try {
      const timing = await this.#d.engine.run(comp, {
        signal: abort.signal, caps: this.#d.caps(), repeat: record.repeat, startAt: record.startAt,
        onWindow: (w) => this.#onWindow(active, w),
      })
      if (timing) record.timing = timing
      if (abort.signal.aborted) state = 'stopped'
    } catch (err) {
      state = abort.signal.aborted ? 'stopped' : 'failed'
      if (state === 'failed') record.reason = (err as Error).message
    }
    clearTimeout(active.timer)
    await this.#flush(active)
    record.state = state
    record.endedAt = Date.now()
    await this.#d.store.putSync(this.#d.store.replays, record.id, record)
    this.#active = undefined
    this.#d.metrics.replayActive.set(0)
    this.#d.metrics.replays.inc({ outcome: state })
    this.#d.events.publish(record.id, { event: 'end', data: structuredClone(record) })
  }

  #onWindow(active: Active, w: WindowSummary): void {
    const { record } = active
    if (record.state === 'scheduled') this.#setState(active, 'running', { startedAt: Date.now() - record.windowMs })
    const n = record.windowsDone
    const prev = record.timing ?? { meanAbsErrorFraction: 0, maxStartDriftMs: 0 }
    record.timing = {
      meanAbsErrorFraction: (prev.meanAbsErrorFraction * n + w.meanAbsErrorFraction) / (n + 1),
      maxStartDriftMs: Math.max(prev.maxStartDriftMs, Math.abs(w.startDriftMs)),
    }
    record.windowsDone = n + 1
    active.pending.push(w)
    const m = this.#d.metrics
    m.windows.inc()
    m.windowError.observe(w.meanAbsErrorFraction)
    m.windowDrift.observe(Math.abs(w.startDriftMs) / 1000)
    this.#d.events.publish(record.id, { event: 'window', data: { ...w, windowsDone: record.windowsDone, windowsTotal: record.windowsTotal } })
    if (Date.now() - active.lastFlush >= FLUSH_MS) void this.#flush(active)
  }

  #setState(active: Active, state: ReplayState, extra: Partial<ReplayRecord>): void {
    Object.assign(active.record, { state, ...extra })
    this.#d.events.publish(active.record.id, { event: 'state', data: structuredClone(active.record) })
  }

  /**
   * Writes buffered window reports and the record's progress in one batch (no fsync). A failed
   * progress write is not fatal: the final record is written (with fsync) when the replay ends.
   */
  #flush(active: Active): Promise<void> {
    active.lastFlush = Date.now()
    const windows = active.pending.splice(0)
    const record = structuredClone(active.record)
    const { store } = this.#d
    active.writes = active.writes.then(() => store.db.batch([
      ...windows.map((w) => ({ type: 'put' as const, sublevel: store.windows, key: seqKey(record.id, w.index), value: w })),
      { type: 'put' as const, sublevel: store.replays, key: record.id, value: record },
    ])).catch(() => {})
    return active.writes
  }
}

/** A short human label for a replay's source. */
export function describeSource(s: ReplaySource): string {
  return s.kind === 'profile' ? `profile ${s.name}` : s.kind === 'composition' ? `composition ${s.id}` : 'inline composition'
}
