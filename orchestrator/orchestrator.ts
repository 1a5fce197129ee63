/**
 * The orchestrator's core: modules, devices, placements and the learning loop.
 * submit() places a workload (placement.ts), dispatches it to the chosen daemon, records the
 * observed runtime as an observation and feeds it to the model (warm start, calibration
 * refreshed). Work on a device that is lost (silent, or unreachable at dispatch) is reported
 * failed on that device and re-placed while its deadline still allows. recover() rebuilds a
 * restarted orchestrator from its store (see orchestrator/README.md, "Restarts").
 * @module
 */
import { randomUUID } from 'node:crypto'
import { ForbiddenError, NotFoundError } from '../common/errors.js'
import type { Principal } from '../daemon/auth.js'
import { moduleHash, wasmKind } from '../workloads/component.js'
import { profileKey, type ProfileCache } from '../workloads/profile.js'
import { createHash } from 'node:crypto'
import { InvalidInputError } from '../common/errors.js'
import { dispatch, DeviceUnreachable, replay, watchReplay, type Emulated } from './dispatch.js'
import type { OrchestratorConfig } from './config.js'
import type { Device, Fleet } from './fleet.js'
import { place } from './placement.js'
import type { OrchestratorStore } from './store.js'
import type { Decision, Observation, RuntimeModel, Running } from './types.js'

/** How long a shutdown waits for background profiling before closing the store (see idle()). */
export const SHUTDOWN_PROFILING_MS = 5_000

/** Why a placement that was running when the orchestrator stopped was cut off. */
export const RESTARTED = 'orchestrator restarted'

/** An observation as stored: the model's row plus the keys that rebuild it after a restart. */
interface StoredObservation extends Observation {
  platformKey?: string
  workloadKey?: string
  corunnerKeys?: string[]
}

export interface RecoveryReport {
  placements: number
  /** Placements that were running: replays to re-attach to, runs to place again, failed at once. */
  interrupted: { reattaching: number; replacing: number; failed: number }
  observations: number
  /** Observations written before keys were stored, or naming an entity the model cannot take. */
  skipped: number
}

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
  /** Emulated workloads: the daemon's replay, so a restarted orchestrator can re-attach to it. */
  replay?: { id: string; url: string; corunnerKeys: string[] }
}

/** A replay that was running at a restart, with the attempt that knows where. */
interface Orphan { rec: PlacementRecord; attempt: Attempt & { replay: NonNullable<Attempt['replay']> } }

/** How a run ended, as a placement record keeps it. */
type RunOutcome = NonNullable<PlacementRecord['result']>

export interface PlacementRecord {
  id: string
  module?: string
  emulated?: Emulated
  workload: string
  args: string[]
  /** Names of the input files (their contents stay in memory until the placement ends). */
  inputFiles?: string[]
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
  /** Device URL (platform key) → name of the device token that registered it (registerDevice). */
  readonly #owners = new Map<string, string>()
  /** Background profiling of submitted modules: its features and profile file outlive the request. */
  readonly #profiling = new Set<Promise<void>>()
  readonly #records = new Map<string, PlacementRecord>()
  readonly #modules = new Map<string, Uint8Array>()
  /** Platforms with an observation, and those with a first run in flight (explored once each). */
  readonly #observed = new Set<number>()
  readonly #exploring = new Set<number>()
  /** Workload keys by model index, so observations can be stored by key. */
  readonly #workloadKeys: string[] = []
  /** Input files of unfinished placements, for re-placement (too large for the record). */
  readonly #files = new Map<string, Record<string, string>>()
  /** Placements cut off by a restart, re-placed once devices have had time to register again. */
  #interrupted: PlacementRecord[] = []
  /** Replays that were running at a restart, re-attached to when their daemon registers again. */
  #orphans: Orphan[] = []
  #resume: NodeJS.Timeout | undefined

  constructor(
    /** Replaced (not mutated) by a reload: requests read the tokens from it each time. */
    public config: OrchestratorConfig,
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

  /**
   * Registers (or re-registers) the daemon at d.url. `by` is the caller's token: the first
   * device token to register a URL owns it, so another device token cannot take over that
   * device (its dispatch credential, its heartbeats); admin tokens may, and an admin's
   * DELETE frees it. Omitted for the daemon's own in-process registration.
   * @param d.dispatchToken bearer token for dispatching to this daemon; kept in memory only.
   * @throws ForbiddenError when the URL belongs to another device token
   */
  async registerDevice(d: { name: string; url: string; platformFeatures: number[]; dispatchToken?: string }, by?: Principal<string>): Promise<{ id: string; heartbeatMs: number }> {
    const key = platformKey(d.url)
    const other = this.#otherOwner(key, by)
    if (other !== undefined) throw new ForbiddenError(`device URL ${d.url} was registered with device token '${other}'; only that token or an admin token may register it again (an admin's DELETE /v1/devices/:id frees it)`)
    if (by && !this.#owners.has(key) && !by.scopes.includes('admin')) {
      // Claimed before the write, so a concurrent registration by another token is refused.
      this.#owners.set(key, by.name)
      await this.store.putOwner(key, by.name)
    }
    const platform = this.model.platformId(key, d.platformFeatures)
    await this.store.putEntity('platform', key, d.platformFeatures)
    const device = this.fleet.register({ name: d.name, url: d.url, platformFeatures: d.platformFeatures, platform, token: d.dispatchToken })
    this.log(`device ${device.name} (${device.id}) registered at ${device.url}${d.dispatchToken ? ' with a dispatch token' : ''}`)
    this.#reattach(device)
    return { id: device.id, heartbeatMs: this.config.heartbeatMs }
  }

  /**
   * A device's heartbeat; `by` as for registerDevice.
   * @throws NotFoundError for an unknown or lost device, ForbiddenError for another token's device
   */
  heartbeat(id: string, by?: Principal<string>): void {
    const other = this.#otherOwner(platformKey(this.fleet.get(id).url), by)
    if (other !== undefined) throw new ForbiddenError(`device ${id} belongs to device token '${other}'`)
    this.fleet.heartbeat(id)
  }

  /** The device token owning a device URL when it is not `by`'s and `by` is no admin; else undefined. */
  #otherOwner(key: string, by: Principal<string> | undefined): string | undefined {
    const owner = this.#owners.get(key)
    return by && !by.scopes.includes('admin') && owner !== undefined && owner !== by.name ? owner : undefined
  }

  /** Forgets a device, its credential and which token owned its URL; its running work is handled as on a lost device. */
  async forgetDevice(id: string): Promise<void> {
    const device = this.fleet.get(id)
    for (const r of this.fleet.remove(id)) this.#lost(r.placementId, id, `device ${device.name} removed`)
    const key = platformKey(device.url)
    if (this.#owners.delete(key)) await this.store.deleteOwner(key)
    this.log(`device ${device.name} (${id}) removed`)
  }

  /** The model's index of a workload, remembering its key for stored observations. */
  #workload(key: string, features?: ArrayLike<number>): number {
    const id = this.model.workloadId(key, features)
    this.#workloadKeys[id] = key
    return id
  }

  /** Places (and unless dryRun, dispatches) one workload. */
  async submit(req: SubmitRequest): Promise<PlacementRecord> {
    if (req.emulated) return this.#submitEmulated(req, req.emulated)
    if (!req.module) throw new InvalidInputError('give a module (uploaded wasm hash) or an emulated workload')
    const wasm = await this.#module(req.module)
    const args = req.args ?? []
    const spec = { wasm, args, files: Object.fromEntries(Object.entries(req.files ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])) }
    const key = profileKey(spec)
    const features = async (): Promise<number[]> => {
      const f = Array.from((await this.profiles.profile(spec)).features)
      await this.store.putEntity('workload', key, f)
      return f
    }
    const workload = this.model.needsFeatures ? this.#workload(key, await features()) : this.#workload(key)
    if (!this.model.needsFeatures && this.config.profile && wasmKind(wasm) === 'preview1') {
      const job = features().then((f) => this.model.workloadFeatures(workload, f), (e: Error) => this.log(`profiling ${key} failed: ${e.message}`))
      this.#profiling.add(job)
      void job.finally(() => this.#profiling.delete(job))
    }
    const now = Date.now()
    const rec: PlacementRecord = {
      id: randomUUID(), module: req.module, workload: key, args, ...(req.files && Object.keys(req.files).length ? { inputFiles: Object.keys(req.files) } : {}), submittedAt: now, deadlineAt: now + req.deadlineMs,
      eps: req.eps ?? this.config.defaultEps, status: 'running', attempts: [], decision: undefined as unknown as Decision,
    }
    this.#records.set(rec.id, rec)
    if (req.files && !req.dryRun) this.#files.set(rec.id, req.files)
    const ok = this.#tryPlace(rec, workload, req, now)
    if (req.dryRun) {
      rec.status = 'dry-run'
      if (ok) this.fleet.finish(rec.attempts[0]!.device, rec.id)
    }
    if (!ok) this.#files.delete(rec.id)
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
    const workload = this.#workload(key)
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
    const wallLimitMs = wallLimit(rec)
    await this.#settle(rec, attempt, workload, corunners, async (device) => rec.emulated
      ? fromReplay(await replay(device, rec.emulated, wallLimitMs + 10_000, (id) => {
        attempt.replay = { id, url: device.url, corunnerKeys: corunners.map((c) => this.#workloadKeys[c]!) }
        void this.store.putPlacement(rec)
      }))
      : await dispatch(device, { wasm: Buffer.from(await this.#module(rec.module!)).toString('base64'), args: rec.args, files: req.files ?? {}, wallLimitMs, name: req.name }, wallLimitMs + 10_000))
  }

  /** Waits for an attempt's run and records how it ended: an observation, a lost device, or a failure. */
  async #settle(rec: PlacementRecord, attempt: Attempt, workload: number, corunners: number[], work: (device: Device) => Promise<RunOutcome>): Promise<void> {
    const device = this.fleet.get(attempt.device)
    try {
      const result = await work(device)
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
        await this.store.putObservation({
          ...obs, platformKey: platformKey(device.url), workloadKey: rec.workload, corunnerKeys: corunners.map((c) => this.#workloadKeys[c]),
          device: device.id, placement: rec.id, at: end, predictedMs: attempt.predictedMs, boundMs: attempt.boundMs,
        })
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
      if (rec.status !== 'running') this.#files.delete(rec.id)
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
      this.#fail(rec, `device lost: ${why}`)
      return
    }
    this.#replace(rec, `device ${attempt.deviceName} lost`)
  }

  /** Places rec again with what is left of its deadline; fails it with `cause` when none fits. */
  #replace(rec: PlacementRecord, cause: string): void {
    const now = Date.now()
    let placed: boolean
    try {
      placed = this.#tryPlace(rec, this.#workload(rec.workload), { module: rec.module, emulated: rec.emulated, args: rec.args, files: this.#files.get(rec.id), deadlineMs: rec.deadlineAt - now }, now)
    } catch (e) {
      // e.g. a Pitot model that cannot take a workload whose features are gone.
      return this.#fail(rec, `${cause} and it cannot be placed again: ${(e as Error).message}`)
    }
    if (!placed) return this.#fail(rec, `${cause} and no device can still meet the deadline: ${rec.decision.reason}`)
    void this.store.putPlacement(rec)
  }

  #fail(rec: PlacementRecord, reason: string): void {
    rec.status = 'failed'
    rec.reason = reason
    this.#files.delete(rec.id)
    void this.store.putPlacement(rec)
  }

  /**
   * After a restart: reloads every placement record, rebuilds the model (and which devices were
   * explored) from the stored observations, and resolves placements that were running. A
   * replay is re-attached to when its daemon registers again (#reattach). A WebAssembly run
   * cannot be (the daemon answers it on the dispatch connection, which died with us), so it
   * gets a lost attempt; with `replace` it is placed again once devices have had two heartbeat
   * periods to register again, while its deadline remains; else it fails with the reason
   * 'orchestrator restarted'.
   */
  async recover(now = Date.now()): Promise<RecoveryReport> {
    for (const [key, token] of await this.store.owners()) this.#owners.set(key, token)
    const features = await this.store.entities()
    const rows: Observation[] = []
    let skipped = 0
    for (const o of await this.store.observations() as StoredObservation[]) {
      if (o.platformKey === undefined || o.workloadKey === undefined || o.corunnerKeys === undefined) { skipped++; continue }
      try {
        const workload = (k: string) => this.#workload(k, features.get(`workload:${k}`))
        const row = { platform: this.model.platformId(o.platformKey, features.get(`platform:${o.platformKey}`)), workload: workload(o.workloadKey), corunners: o.corunnerKeys.map(workload), runtimeMs: o.runtimeMs }
        rows.push(row)
        this.#observed.add(row.platform)
      } catch {
        skipped++
      }
    }
    if (rows.length) this.model.observe(rows)
    // Submission order, as list() answered before the restart (the store orders by id).
    const records = (await this.store.placements()).sort((a, b) => a.submittedAt - b.submittedAt)
    let failed = 0
    for (const rec of records) {
      this.#records.set(rec.id, rec)
      if (rec.status !== 'running') continue
      const attempt = rec.attempts.at(-1)
      if (attempt?.replay && !attempt.outcome) {
        rec.reason = `${RESTARTED}: re-attaching to replay ${attempt.replay.id} once its daemon registers again`
        this.#orphans.push({ rec, attempt: attempt as Orphan['attempt'] })
        void this.store.putPlacement(rec)
        continue
      }
      if (attempt && !attempt.outcome) Object.assign(attempt, { outcome: 'lost', endedAt: now, error: RESTARTED })
      // Input files are kept in memory only: a restart loses them, and with them the run.
      const files = (rec.inputFiles?.length ?? 0) > 0
      if (!this.config.replace || rec.deadlineAt <= now || files) {
        failed++
        this.#fail(rec, files && this.config.replace && rec.deadlineAt > now ? `${RESTARTED}: its input files were not kept` : RESTARTED)
      } else {
        rec.reason = `${RESTARTED}: to be placed again once devices register`
        this.#interrupted.push(rec)
        void this.store.putPlacement(rec)
      }
    }
    if (this.#interrupted.length || this.#orphans.length) this.#resume = setTimeout(() => this.resumeInterrupted(), 2 * this.config.heartbeatMs)
    const report = { placements: records.length, interrupted: { reattaching: this.#orphans.length, replacing: this.#interrupted.length, failed }, observations: rows.length, skipped }
    if (records.length || rows.length || skipped) {
      const { reattaching, replacing } = report.interrupted
      this.log(`recovered ${report.placements} placements (${reattaching} to re-attach, ${replacing} to place again, ${failed} failed: ${RESTARTED}); model rebuilt from ${rows.length} observations${skipped ? ` (${skipped} skipped)` : ''}`)
    }
    return report
  }

  /** Follows the replays a restart cut off that ran on `device` (it just registered again). */
  #reattach(device: Device): void {
    const mine = this.#orphans.filter((o) => o.attempt.replay.url === device.url)
    if (!mine.length) return
    this.#orphans = this.#orphans.filter((o) => !mine.includes(o))
    for (const { rec, attempt } of mine) {
      const workload = this.#workload(rec.workload)
      const corunners = attempt.replay.corunnerKeys.map((k) => this.#workload(k))
      Object.assign(attempt, { device: device.id, deviceName: device.name })
      device.running.push({ placementId: rec.id, workload, startedAt: attempt.startedAt, deadlineAt: rec.deadlineAt, eps: rec.eps })
      delete rec.reason
      this.log(`placement ${rec.id}: re-attached to replay ${attempt.replay.id} on ${device.name}`)
      // The daemon's own record times the run; polling after a restart would overstate it.
      this.#pending.set(attempt, this.#settle(rec, attempt, workload, corunners, async (d) => {
        const o = await watchReplay(d, attempt.replay.id, wallLimit(rec) + 10_000)
        return fromReplay({ ...o, totalMs: o.daemonMs ?? Date.now() - attempt.startedAt })
      }))
    }
  }

  /**
   * Places the work a restart cut off, and gives up on replays whose daemon did not register
   * again in time (recover() schedules this two heartbeat periods after start).
   */
  resumeInterrupted(): void {
    clearTimeout(this.#resume)
    const now = Date.now()
    for (const { rec, attempt } of this.#orphans.splice(0)) {
      Object.assign(attempt, { outcome: 'lost', endedAt: now, error: `${RESTARTED}; its daemon did not register again` })
      if (this.config.replace && rec.deadlineAt > now) this.#interrupted.push(rec)
      else this.#fail(rec, RESTARTED)
    }
    const list = this.#interrupted
    this.#interrupted = []
    for (const rec of list) if (rec.status === 'running') this.#replace(rec, RESTARTED)
  }

  /** Stops timers; running dispatches go on (see idle()). */
  stop(): void {
    clearTimeout(this.#resume)
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

  /**
   * Resolves when every dispatched run has ended and background profiling has ended or had
   * `profilingMs` to (shutdown bounds it: an instrumented run can take as long as the workload,
   * and a profile is a cache that a later submission makes again; tests wait for it).
   */
  async idle(profilingMs = Infinity): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending.values()])
    if (this.#profiling.size === 0) return
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<void>((r) => { if (Number.isFinite(profilingMs)) timer = setTimeout(r, profilingMs) })
    await Promise.race([Promise.allSettled([...this.#profiling]), grace])
    clearTimeout(timer)
  }
}

/** Wall-time limit of a run: three times what is left of its deadline, at least 10 s. */
const wallLimit = (rec: PlacementRecord) => Math.max(3 * (rec.deadlineAt - Date.now()), 10_000)

/** The model's key of a device: its URL (a daemon re-registering at the same URL is the same platform). */
const platformKey = (url: string) => `url:${url}`

/** A replay's end in the shape of a WebAssembly run's result. */
function fromReplay(r: { ok: boolean; totalMs: number; message: string }): { status: string; runtimeMs: number; totalMs: number; exitCode: number | null; stdout: string; message: string } {
  return { status: r.ok ? 'ok' : 'error', runtimeMs: r.totalMs, totalMs: r.totalMs, exitCode: null, stdout: '', message: r.message }
}
