/**
 * The orchestrator's core: modules, devices, placements and the learning loop.
 * submit() places a workload (placement.ts), dispatches it to the chosen daemon, records the
 * observed runtime as an observation and feeds it to the model (warm start, calibration
 * refreshed). Work on a device that is lost (silent, or unreachable at dispatch) is reported
 * failed on that device and re-placed while its deadline still allows.
 * @module
 */
import { randomUUID } from 'node:crypto'
import { NotFoundError } from '../common/errors.js'
import { moduleHash, wasmKind } from '../workloads/component.js'
import { profileKey, type ProfileCache } from '../workloads/profile.js'
import { createHash } from 'node:crypto'
import { InvalidInputError } from '../common/errors.js'
import { dispatch, DeviceUnreachable, replay, type Emulated } from './dispatch.js'
import type { OrchestratorConfig } from './config.js'
import type { Fleet } from './fleet.js'
import { place } from './placement.js'
import type { OrchestratorStore } from './store.js'
import type { Decision, RuntimeModel, Running } from './types.js'

export interface SubmitRequest {
  /** sha256 of a module uploaded with addModule (or give `emulated`). */
  module?: string
  /** An emulated workload: a daemon profile or an inline stressor composition, replayed. */
  emulated?: Emulated
  args?: string[]
  /** Input files, base64. */
  files?: Record<string, string>
  /** Relative deadline, ms. */
  deadlineMs: number
  eps?: number
  name?: string
  /** Only answer where it would go. */
  dryRun?: boolean
}

export interface Attempt {
  device: string
  deviceName: string
  predictedMs: number
  boundMs: number
  corunners: number
  startedAt: number
  endedAt?: number
  outcome?: 'ok' | 'failed' | 'lost'
  error?: string
}

export interface PlacementRecord {
  id: string
  module?: string
  emulated?: Emulated
  workload: string
  args: string[]
  submittedAt: number
  deadlineAt: number
  eps: number
  status: 'running' | 'done' | 'failed' | 'refused' | 'dry-run'
  attempts: Attempt[]
  decision: Decision
  result?: { status: string; runtimeMs: number; totalMs: number; exitCode: number | null; stdout: string; message: string }
  /** Finished by its deadline (end-to-end, as the orchestrator saw it). */
  metDeadline?: boolean
  reason?: string
}

export class Orchestrator {
  /** Dispatches in flight, by attempt (a re-placed workload has a new attempt and run). */
  readonly #pending = new Map<Attempt, Promise<void>>()
  readonly #records = new Map<string, PlacementRecord>()
  readonly #modules = new Map<string, Uint8Array>()
  /** Platforms with an observation, and those with a first run in flight (explored once each). */
  readonly #observed = new Set<number>()
  readonly #exploring = new Set<number>()

  constructor(
    readonly config: OrchestratorConfig,
    readonly fleet: Fleet,
    readonly model: RuntimeModel,
    readonly store: OrchestratorStore,
    readonly profiles: ProfileCache,
    readonly log: (line: string) => void = () => {},
  ) {}

  /** Stores a module; returns its hash and WASI flavour. */
  async addModule(wasm: Uint8Array): Promise<{ hash: string; kind: string; bytes: number }> {
    const kind = wasmKind(wasm)
    const hash = moduleHash(wasm)
    this.#modules.set(hash, wasm)
    await this.store.putModule(hash, wasm)
    return { hash, kind, bytes: wasm.length }
  }

  async #module(hash: string): Promise<Uint8Array> {
    const m = this.#modules.get(hash) ?? await this.store.getModule(hash)
    if (!m) throw new NotFoundError(`unknown module ${hash}: upload it with POST /v1/modules first`)
    this.#modules.set(hash, m)
    return m
  }

  registerDevice(d: { name: string; url: string; platformFeatures: number[] }): { id: string; heartbeatMs: number } {
    const platform = this.model.platformId(`url:${d.url}`, d.platformFeatures)
    const device = this.fleet.register({ ...d, platform })
    this.log(`device ${device.name} (${device.id}) registered at ${device.url}`)
    return { id: device.id, heartbeatMs: this.config.heartbeatMs }
  }

  /** Places (and unless dryRun, dispatches) one workload. */
  async submit(req: SubmitRequest): Promise<PlacementRecord> {
    if (req.emulated) return this.#submitEmulated(req, req.emulated)
    if (!req.module) throw new InvalidInputError('give a module (uploaded wasm hash) or an emulated workload')
    const wasm = await this.#module(req.module)
    const args = req.args ?? []
    const spec = { wasm, args, files: Object.fromEntries(Object.entries(req.files ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])) }
    const key = profileKey(spec)
    const workload = this.model.needsFeatures
      ? this.model.workloadId(key, (await this.profiles.profile(spec)).features)
      : this.model.workloadId(key)
    if (!this.model.needsFeatures && this.config.profile && wasmKind(wasm) === 'preview1') {
      this.profiles.profile(spec).then((p) => this.model.workloadFeatures(workload, p.features), (e: Error) => this.log(`profiling ${key} failed: ${e.message}`))
    }
    const now = Date.now()
    const rec: PlacementRecord = {
      id: randomUUID(), module: req.module, workload: key, args, submittedAt: now, deadlineAt: now + req.deadlineMs,
      eps: req.eps ?? this.config.defaultEps, status: 'running', attempts: [], decision: undefined as unknown as Decision,
    }
    this.#records.set(rec.id, rec)
    const ok = this.#tryPlace(rec, workload, req, now)
    if (req.dryRun) {
      rec.status = 'dry-run'
      if (ok) this.fleet.finish(rec.attempts[0]!.device, rec.id)
    }
    await this.store.putPlacement(rec)
    return rec
  }

  /**
   * Emulated workloads (profiles, compositions) are placed like any other and become co-runners
   * whose interference the model learns from the runs next to them.
   */
  async #submitEmulated(req: SubmitRequest, emulated: Emulated): Promise<PlacementRecord> {
    if (this.model.needsFeatures) throw new InvalidInputError('emulated workloads have no opcode features: place them with the online model')
    const key = `emulated:${emulated.profile ?? createHash('sha256').update(JSON.stringify(emulated.composition)).digest('hex').slice(0, 16)}`
    const workload = this.model.workloadId(key)
    const now = Date.now()
    const rec: PlacementRecord = {
      id: randomUUID(), emulated, workload: key, args: [], submittedAt: now, deadlineAt: now + req.deadlineMs,
      eps: req.eps ?? this.config.defaultEps, status: 'running', attempts: [], decision: undefined as unknown as Decision,
    }
    this.#records.set(rec.id, rec)
    const ok = this.#tryPlace(rec, workload, req, now)
    if (req.dryRun) { rec.status = 'dry-run'; if (ok) this.fleet.finish(rec.attempts[0]!.device, rec.id) }
    await this.store.putPlacement(rec)
    return rec
  }

  /** Places rec on a live device and starts its dispatch; false (rec refused/failed) if none fits. */
  #tryPlace(rec: PlacementRecord, workload: number, req: SubmitRequest, now: number): boolean {
    const decision = place(this.model, this.fleet.list(), {
      workload, deadlineMs: rec.deadlineAt - now, eps: rec.eps, explain: this.config.explain,
      unexplored: (p) => !this.#observed.has(p) && !this.#exploring.has(p),
    })
    rec.decision = decision
    if (!decision.placed) {
      rec.status = rec.attempts.length ? 'failed' : 'refused'
      rec.reason = decision.reason
      return false
    }
    const device = this.fleet.get(decision.device!)
    const chosen = decision.candidates[0]!
    const corunners = device.running.map((r) => r.workload)
    const running: Running = { placementId: rec.id, workload, startedAt: now, deadlineAt: rec.deadlineAt, eps: rec.eps }
    device.running.push(running)
    const attempt: Attempt = { device: device.id, deviceName: device.name, predictedMs: chosen.predictedMs, boundMs: chosen.boundMs, corunners: corunners.length, startedAt: now }
    rec.attempts.push(attempt)
    if (!req.dryRun) {
      if (!this.#observed.has(device.platform)) this.#exploring.add(device.platform)
      this.#pending.set(attempt, this.#run(rec, attempt, workload, corunners, req))
    }
    return true
  }

  async #run(rec: PlacementRecord, attempt: Attempt, workload: number, corunners: number[], req: SubmitRequest): Promise<void> {
    const device = this.fleet.get(attempt.device)
    const remaining = rec.deadlineAt - Date.now()
    const wallLimitMs = Math.max(3 * remaining, 10_000)
    try {
      const result = rec.emulated
        ? fromReplay(await replay(device.url, rec.emulated, wallLimitMs + 10_000))
        : await dispatch(device.url, { wasm: Buffer.from(await this.#module(rec.module!)).toString('base64'), args: rec.args, files: req.files ?? {}, wallLimitMs, name: req.name }, wallLimitMs + 10_000)
      if (attempt.outcome) return // already handled as lost
      const end = Date.now()
      attempt.endedAt = end
      this.fleet.finish(device.id, rec.id)
      rec.result = { status: result.status, runtimeMs: result.runtimeMs, totalMs: result.totalMs, exitCode: result.exitCode, stdout: result.stdout.slice(0, 4096), message: result.message }
      if (result.status === 'ok') {
        attempt.outcome = 'ok'
        rec.status = 'done'
        rec.metDeadline = end <= rec.deadlineAt
        const obs = { platform: device.platform, workload, corunners, runtimeMs: result.totalMs }
        this.model.observe([obs])
        this.#observed.add(device.platform)
        await this.store.putObservation({ ...obs, device: device.id, placement: rec.id, at: end, predictedMs: attempt.predictedMs, boundMs: attempt.boundMs })
      } else {
        attempt.outcome = 'failed'
        attempt.error = result.message
        rec.status = 'failed'
        rec.reason = `workload ${result.status}: ${result.message}`
      }
    } catch (e) {
      if (attempt.outcome) return
      if (e instanceof DeviceUnreachable) {
        this.log(`${e.message}: marking ${device.name} lost`)
        for (const r of this.fleet.markLost(device.id)) this.#lost(r.placementId, device.id, e.message)
        return
      }
      attempt.outcome = 'failed'
      attempt.error = (e as Error).message
      rec.status = 'failed'
      rec.reason = (e as Error).message
    } finally {
      await this.store.putPlacement(rec)
      this.#pending.delete(attempt)
    }
  }

  /** Reports a placement's run on a lost device as failed there and re-places it if it can. */
  #lost(placementId: string, deviceId: string, why: string): void {
    const rec = this.#records.get(placementId)
    if (!rec) return
    const attempt = rec.attempts.at(-1)
    if (!attempt || attempt.device !== deviceId || attempt.outcome) return
    attempt.outcome = 'lost'
    attempt.endedAt = Date.now()
    attempt.error = why
    this.log(`placement ${rec.id} lost with device ${attempt.deviceName}`)
    if (!this.config.replace) {
      rec.status = 'failed'
      rec.reason = `device lost: ${why}`
      void this.store.putPlacement(rec)
      return
    }
    const workload = this.model.workloadId(rec.workload)
    const placed = this.#tryPlace(rec, workload, { module: rec.module, emulated: rec.emulated, args: rec.args, deadlineMs: rec.deadlineAt - Date.now() }, Date.now())
    if (!placed) rec.reason = `device ${attempt.deviceName} lost and no device can still meet the deadline: ${rec.decision.reason}`
    void this.store.putPlacement(rec)
  }

  /** Marks silent devices lost and re-places their work. */
  sweep(now = Date.now()): void {
    for (const { device, running } of this.fleet.sweep(this.config.lostAfterMs, now)) {
      this.log(`device ${device.name} silent for over ${this.config.lostAfterMs} ms: lost`)
      for (const r of running) this.#lost(r.placementId, device.id, `no heartbeat for ${this.config.lostAfterMs} ms`)
    }
  }

  get(id: string): PlacementRecord {
    const r = this.#records.get(id)
    if (!r) throw new NotFoundError(`unknown placement ${id}`)
    return r
  }

  list(): PlacementRecord[] { return [...this.#records.values()] }

  /** Resolves when every dispatched run has ended (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending.values()])
  }
}

/** A replay's end in the shape of a WebAssembly run's result. */
function fromReplay(r: { ok: boolean; totalMs: number; message: string }): { status: string; runtimeMs: number; totalMs: number; exitCode: number | null; stdout: string; message: string } {
  return { status: r.ok ? 'ok' : 'error', runtimeMs: r.totalMs, totalMs: r.totalMs, exitCode: null, stdout: '', message: r.message }
}
