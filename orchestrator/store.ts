/**
 * The orchestrator's level store: uploaded modules, placement records, observations (the
 * learning loop's history, keyed by time so they replay in order) and the feature vectors of
 * the devices and workloads they name, so a restarted orchestrator rebuilds its model from them,
 * and which device token registered each device URL. Devices and their dispatch credentials are
 * not stored (see fleet.ts).
 * @module
 */
import { ClassicLevel } from 'classic-level'
import type { PlacementRecord } from './orchestrator.js'

export class OrchestratorStore {
  readonly #db: ClassicLevel<string, string>
  readonly #modules
  readonly #placements
  readonly #observations
  readonly #entities
  readonly #owners
  #seq = 0

  private constructor(db: ClassicLevel<string, string>) {
    this.#db = db
    this.#modules = db.sublevel<string, Uint8Array>('modules', { valueEncoding: 'view' })
    this.#placements = db.sublevel<string, string>('placements', { valueEncoding: 'json' })
    this.#observations = db.sublevel<string, string>('observations', { valueEncoding: 'json' })
    this.#entities = db.sublevel<string, number[]>('entities', { valueEncoding: 'json' })
    this.#owners = db.sublevel<string, string>('owners', { valueEncoding: 'utf8' })
  }

  static async open(dir: string): Promise<OrchestratorStore> {
    const db = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' })
    await db.open()
    return new OrchestratorStore(db)
  }

  putModule(hash: string, wasm: Uint8Array): Promise<void> { return this.#modules.put(hash, wasm) }
  async getModule(hash: string): Promise<Uint8Array | undefined> { return (await this.#modules.get(hash)) ?? undefined }
  putPlacement(rec: PlacementRecord): Promise<void> { return this.#placements.put(rec.id, rec as never) }

  async placements(): Promise<PlacementRecord[]> {
    const out: PlacementRecord[] = []
    for await (const v of this.#placements.values()) out.push(v as unknown as PlacementRecord)
    return out
  }

  /** Features of a platform or workload, under `kind:key`. */
  putEntity(kind: 'platform' | 'workload', key: string, features: ArrayLike<number>): Promise<void> {
    return this.#entities.put(`${kind}:${key}`, Array.from(features))
  }

  /** Every stored feature vector, by `kind:key`. */
  async entities(): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>()
    for await (const [k, v] of this.#entities.iterator()) out.set(k, v)
    return out
  }

  /** The name of the device token that registered a device URL (by platform key); synced, it is a credential binding. */
  putOwner(key: string, token: string): Promise<void> { return this.#db.batch([{ type: 'put', sublevel: this.#owners, key, value: token }], { sync: true }) }
  deleteOwner(key: string): Promise<void> { return this.#db.batch([{ type: 'del', sublevel: this.#owners, key }], { sync: true }) }

  async owners(): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    for await (const [k, v] of this.#owners.iterator()) out.set(k, v)
    return out
  }

  putObservation(obs: object): Promise<void> {
    const key = `${Date.now().toString().padStart(15, '0')}-${(this.#seq++).toString().padStart(6, '0')}`
    return this.#observations.put(key, obs as never)
  }

  async observations(): Promise<object[]> {
    const out: object[] = []
    for await (const v of this.#observations.values()) out.push(v as unknown as object)
    return out
  }

  close(): Promise<void> { return this.#db.close() }
}
