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
export interface ReplayOutcome { ok: boolean; state: string; totalMs: number; message: string }

/** Emulated workload: the daemon's profile name or an inline stressor composition. */
export interface Emulated { profile?: string; composition?: unknown }

const TERMINAL = new Set(['completed', 'stopped', 'failed', 'interrupted'])

/**
 * Replays an emulated workload on a daemon (POST /v1/replays) and waits for it to end.
 * @throws DeviceUnreachable as dispatch() does; Error when the daemon refuses (409: busy).
 */
export async function replay(target: Target, what: Emulated, timeoutMs: number): Promise<ReplayOutcome> {
  const url = target.url
  const t0 = performance.now()
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
  const json = async (res: Response) => await res.json().catch(() => ({})) as Record<string, unknown>
  const id = String((await json(await call('/v1/replays', { method: 'POST', body: JSON.stringify(what) }))).id)
  for (;;) {
    const state = String((await json(await call(`/v1/replays/${id}`))).state)
    if (TERMINAL.has(state)) return { ok: state === 'completed', state, totalMs: performance.now() - t0, message: state === 'completed' ? '' : `replay ${state}` }
    if (performance.now() - t0 > timeoutMs) throw new Error(`replay ${id} on ${url} still ${state} after ${timeoutMs} ms`)
    await new Promise((res) => setTimeout(res, 50))
  }
}
