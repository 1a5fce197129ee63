/**
 * The daemon's persistent state in one LevelDB (classic-level) under the data directory, with a
 * sublevel per record kind. Records whose loss would mislead a user (a composition upload, a
 * replay's start and end, a trace's end) are written with `sync: true`; high-rate appends
 * (window reports, trace rows) are batched without fsync, so a crash loses at most the last
 * unflushed batch of those and never an earlier record.
 * @module
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AbstractSublevel } from 'abstract-level'
import { ClassicLevel } from 'classic-level'
import { ConfigError } from '../common/errors.js'
import type { CompositionEntry, ReplayRecord, TraceMeta, WindowSummary } from './types.js'

/** A JSON-valued sublevel with string keys. */
export type Sub<V> = AbstractSublevel<ClassicLevel<string, unknown>, string | Buffer | Uint8Array, string, V>

/** Zero-padded so that lexicographic key order is numeric order. */
export const seqKey = (id: string, seq: number): string => `${id}!${String(seq).padStart(10, '0')}`

export class Store {
  readonly db: ClassicLevel<string, unknown>
  readonly compositions: Sub<CompositionEntry>
  readonly replays: Sub<ReplayRecord>
  readonly windows: Sub<WindowSummary>
  readonly traces: Sub<TraceMeta>
  readonly traceRows: Sub<number[]>

  private constructor(db: ClassicLevel<string, unknown>) {
    this.db = db
    const sub = <V>(name: string): Sub<V> => db.sublevel<string, V>(name, { valueEncoding: 'json' })
    this.compositions = sub('compositions')
    this.replays = sub('replays')
    this.windows = sub('windows')
    this.traces = sub('traces')
    this.traceRows = sub('trace-rows')
  }

  /** Opens (creating if needed) the store in `<dataDir>/store`. */
  static async open(dataDir: string): Promise<Store> {
    const location = join(dataDir, 'store')
    mkdirSync(location, { recursive: true })
    const db = new ClassicLevel<string, unknown>(location, { valueEncoding: 'json' })
    try {
      await db.open()
    } catch (err) {
      const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message
      throw new ConfigError(`cannot open the store in ${location}: ${cause} (is another daemon using this data directory?)`)
    }
    return new Store(db)
  }

  /** Writes one record and waits until it is on disk (fsync), for records whose loss matters. */
  async putSync<V>(sub: Sub<V>, key: string, value: V): Promise<void> {
    await this.db.batch([{ type: 'put', sublevel: sub, key, value }], { sync: true })
  }

  /** All values of a sublevel in key order (ids are time-sortable, so oldest first). */
  async values<V>(sub: Sub<V>, opts: { prefix?: string; limit?: number; reverse?: boolean } = {}): Promise<V[]> {
    const range = opts.prefix === undefined ? {} : { gte: `${opts.prefix}!`, lt: `${opts.prefix}!\xff` }
    return (await sub.values({ ...range, limit: opts.limit ?? -1, reverse: opts.reverse ?? false }).all()) as V[]
  }

  /** Deletes every key of `id`'s child records in `sub` (window reports, trace rows). */
  async deleteChildren<V>(sub: Sub<V>, id: string): Promise<void> {
    await sub.clear({ gte: `${id}!`, lt: `${id}!\xff` })
  }

  async close(): Promise<void> {
    if (this.db.status === 'open') await this.db.close()
  }
}

/** A time-sortable id: base-36 epoch milliseconds, then random hex against collisions. */
export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}
