/**
 * Sends one workload to a daemon's POST /v1/workloads/run and waits for its RunResult.
 * A daemon that cannot be reached (or answers 5xx) is a device failure, reported as
 * DeviceUnreachable so the caller can mark it lost and re-place the work.
 * @module
 */
import type { RunRequest } from '../workloads/daemon-routes.js'
import type { RunResult } from '../workloads/types.js'

export class DeviceUnreachable extends Error {
  override name = 'DeviceUnreachable'
}

/** Where to dispatch: a daemon's URL and the bearer token it registered for dispatch. */
export interface Target { url: string; token?: string }

function headers(target: Target, json: boolean): Record<string, string> {
  return { ...(json ? { 'content-type': 'application/json' } : {}), ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) }
}

/** A 4xx answer as an error; 401/403 say it is the registered credential (never its value). */
async function refused(url: string, what: string, res: Response): Promise<Error> {
  const text = await res.text().catch(() => '')
  const why = res.status === 401 || res.status === 403
    ? ' (the daemon does not accept the dispatch token it registered with: restart its agent or check its tokens)'
    : ''
  return new Error(`daemon ${url} refused the ${what}: HTTP ${res.status}${why} ${text}`)
}

/**
 * @throws DeviceUnreachable when the daemon is down, the connection breaks, or it answers 5xx.
 * @throws Error for a 4xx answer (a request the daemon refused: the workload's problem).
 */
export async function dispatch(target: Target, req: RunRequest, timeoutMs: number): Promise<RunResult> {
  const url = target.url
  let res: Response
  try {
    res = await fetch(new URL('/v1/workloads/run', url), {
      method: 'POST', headers: headers(target, true),
      body: JSON.stringify(req), signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (e) {
    throw new DeviceUnreachable(`daemon ${url} unreachable: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`)
  }
  if (res.status >= 500) throw new DeviceUnreachable(`daemon ${url} failed: HTTP ${res.status} ${await res.text().catch(() => '')}`)
  if (!res.ok) throw await refused(url, 'workload', res)
  try {
    return await res.json() as RunResult
  } catch (e) {
    throw new DeviceUnreachable(`daemon ${url} broke off its answer: ${(e as Error).message}`)
  }
}

/** How an emulated workload (a profile or composition replayed by the daemon) ended. */
export interface ReplayOutcome {
  ok: boolean
  state: string
  /** From the start request to the end seen by polling, ms. */
  totalMs: number
  /** From creation to end by the daemon's own record, ms, when it has both. */
  daemonMs?: number
  message: string
}

/** Emulated workload: the daemon's profile name or an inline stressor composition. */
export interface Emulated { profile?: string; composition?: unknown }

const TERMINAL = new Set(['completed', 'stopped', 'failed', 'interrupted'])

/** JSON requests to a daemon's replay API; DeviceUnreachable for a dead daemon or 5xx, Error for 4xx. */
function replayCalls(target: Target, timeoutMs: number) {
  const url = target.url
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let res: Response
    try {
      res = await fetch(new URL(path, url), { ...init, headers: headers(target, init.body !== undefined), signal: AbortSignal.timeout(timeoutMs) })
    } catch (e) {
      throw new DeviceUnreachable(`daemon ${url} unreachable: ${(e as Error).message}`)
    }
    if (res.status >= 500) throw new DeviceUnreachable(`daemon ${url} failed: HTTP ${res.status}`)
    if (!res.ok) throw await refused(url, 'replay', res)
    return res
  }
  return async (path: string, init: RequestInit = {}) => await (await call(path, init)).json().catch(() => ({})) as Record<string, unknown>
}

/**
 * Replays an emulated workload on a daemon (POST /v1/replays) and waits for it to end.
 * `onStarted` gets the daemon's replay id (what a restarted orchestrator re-attaches to).
 * @throws DeviceUnreachable as dispatch() does; Error when the daemon refuses (409: busy).
 */
export async function replay(target: Target, what: Emulated, timeoutMs: number, onStarted?: (id: string) => void): Promise<ReplayOutcome> {
  const t0 = performance.now()
  const id = String((await replayCalls(target, timeoutMs)('/v1/replays', { method: 'POST', body: JSON.stringify(what) })).id)
  onStarted?.(id)
  return watchReplay(target, id, timeoutMs, t0)
}

/**
 * Polls a daemon's replay until it ends.
 * @throws Error when the daemon no longer knows it (404) or it outlives `timeoutMs`.
 */
export async function watchReplay(target: Target, id: string, timeoutMs: number, t0 = performance.now()): Promise<ReplayOutcome> {
  const json = replayCalls(target, timeoutMs)
  for (;;) {
    const r = await json(`/v1/replays/${encodeURIComponent(id)}`)
    const state = String(r.state)
    if (TERMINAL.has(state)) {
      const daemonMs = typeof r.endedAt === 'number' && typeof r.createdAt === 'number' ? r.endedAt - r.createdAt : undefined
      return { ok: state === 'completed', state, totalMs: performance.now() - t0, daemonMs, message: state === 'completed' ? '' : `replay ${state}` }
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`replay ${id} on ${target.url} still ${state} after ${timeoutMs} ms`)
    await new Promise((res) => setTimeout(res, 50))
  }
}
