/**
 * Trace recordings: each has its own telemetry Sampler (its own period, the contention probe
 * where counters are absent) and streams rows into the store as they come, so a crash keeps
 * everything up to the last sample. Downloads rebuild the telemetry Trace and use its CSV/JSON
 * writers, so a downloaded file is the canonical trace format.
 * @module
 */
import { ConflictError, NotFoundError } from '../common/errors.js'
import { Sampler, formatTraceCsv, traceToJson, type DeviceFingerprint, type Trace, type TraceJson, type TraceMeta as Sidecar } from '../telemetry/index.js'
import { newId, seqKey, type Store } from './store.js'
import type { TraceMeta } from './types.js'

/** Concurrent recordings; each runs a sampler on the API thread. */
const MAX_ACTIVE = 4

interface Active {
  meta: TraceMeta
  sampler: Sampler
  timer?: NodeJS.Timeout
  writes: Promise<void>
}

export interface StartTrace {
  name: string
  periodS: number
  durationS?: number
}

export class TraceRecorder {
  readonly #store: Store
  readonly #fingerprint: () => DeviceFingerprint
  readonly #active = new Map<string, Active>()

  constructor(store: Store, fingerprint: () => DeviceFingerprint) {
    this.#store = store
    this.#fingerprint = fingerprint
  }

  /** @throws ConflictError when MAX_ACTIVE recordings already run. */
  async start({ name, periodS, durationS }: StartTrace): Promise<TraceMeta> {
    if (this.#active.size >= MAX_ACTIVE) {
      throw new ConflictError(`${MAX_ACTIVE} trace recordings are running (${[...this.#active.keys()].join(', ')}); stop one first`)
    }
    const sampler = new Sampler({ periodMs: Math.round(periodS * 1000), fingerprint: this.#fingerprint() })
    const meta: TraceMeta = {
      id: newId('t'), name, state: 'recording', periodS, createdAt: Date.now(),
      ...(durationS === undefined ? {} : { durationS }), columns: sampler.columns, rows: 0,
    }
    await this.#store.putSync(this.#store.traces, meta.id, meta)
    const active: Active = { meta, sampler, writes: Promise.resolve() }
    this.#active.set(meta.id, active)
    sampler.start((row) => this.#append(active, row))
    if (durationS !== undefined) active.timer = setTimeout(() => { void this.stop(meta.id) }, durationS * 1000)
    return structuredClone(meta)
  }

  /** @throws NotFoundError for an unknown id; ConflictError if it is not recording. */
  async stop(id: string): Promise<TraceMeta> {
    const active = this.#active.get(id)
    if (!active) {
      const meta = await this.get(id)
      throw new ConflictError(`trace ${id} is not recording (${meta.state})`)
    }
    this.#active.delete(id)
    clearTimeout(active.timer)
    const trace = active.sampler.stop()
    await active.writes
    Object.assign(active.meta, { state: 'completed', endedAt: Date.now(), sidecar: trace.meta })
    await this.#store.putSync(this.#store.traces, id, active.meta)
    return structuredClone(active.meta)
  }

  /** Stops every recording (shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.stop(id)))
  }

  async get(id: string): Promise<TraceMeta> {
    const live = this.#active.get(id)
    if (live) return structuredClone(live.meta)
    const meta = await this.#store.traces.get(id)
    if (!meta) throw new NotFoundError(`no trace '${id}'`)
    return meta
  }

  async list(): Promise<TraceMeta[]> {
    const stored = await this.#store.values(this.#store.traces, { reverse: true })
    return stored.map((m) => this.#active.get(m.id)?.meta ?? m).map((m) => structuredClone(m))
  }

  /** The recorded rows as a telemetry Trace (whatever is stored so far for a live recording). */
  async trace(id: string): Promise<Trace> {
    const meta = await this.get(id)
    const rows = await this.#store.values<number[]>(this.#store.traceRows, { prefix: id })
    const sidecar = (meta.sidecar as Sidecar | undefined)
    return { columns: meta.columns, rows, ...(sidecar ? { meta: sidecar } : {}) }
  }

  async csv(id: string): Promise<string> {
    return formatTraceCsv(await this.trace(id))
  }

  async json(id: string): Promise<TraceJson> {
    return traceToJson(await this.trace(id))
  }

  #append(active: Active, row: number[]): void {
    const seq = active.meta.rows++
    const store = this.#store
    const meta = structuredClone(active.meta)
    // Chained: level does not order concurrent writes. A lost row is not worth crashing for.
    active.writes = active.writes
      .then(() => store.db.batch()
        .put(seqKey(meta.id, seq), row, { sublevel: store.traceRows })
        .put(meta.id, meta, { sublevel: store.traces })
        .write())
      .catch(() => {})
  }
}
