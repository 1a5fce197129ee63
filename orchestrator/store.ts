/**
 * The orchestrator's level store: uploaded modules, placement records and observations
 * (the learning loop's history, keyed by time so they replay in order).
 * @module
 */
import { ClassicLevel } from 'classic-level'
import type { PlacementRecord } from './orchestrator.js'

export class OrchestratorStore {
  readonly #db: ClassicLevel<string, string>
  readonly #modules
  readonly #placements
  readonly #observations
  #seq = 0

  private constructor(db: ClassicLevel<string, string>) {
    this.#db = db
    this.#modules = db.sublevel<string, Uint8Array>('modules', { valueEncoding: 'view' })
    this.#placements = db.sublevel<string, string>('placements', { valueEncoding: 'json' })
    this.#observations = db.sublevel<string, string>('observations', { valueEncoding: 'json' })
  }

  static async open(dir: string): Promise<OrchestratorStore> {
    const db = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' })
    await db.open()
    return new OrchestratorStore(db)
  }

  putModule(hash: string, wasm: Uint8Array): Promise<void> { return this.#modules.put(hash, wasm) }
  async getModule(hash: string): Promise<Uint8Array | undefined> { return (await this.#modules.get(hash)) ?? undefined }
  putPlacement(rec: PlacementRecord): Promise<void> { return this.#placements.put(rec.id, rec as never) }

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
