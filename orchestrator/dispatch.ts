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

/**
 * @throws DeviceUnreachable when the daemon is down, the connection breaks, or it answers 5xx.
 * @throws Error for a 4xx answer (a request the daemon refused: the workload's problem).
 */
export async function dispatch(url: string, req: RunRequest, timeoutMs: number): Promise<RunResult> {
  let res: Response
  try {
    res = await fetch(new URL('/v1/workloads/run', url), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req), signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (e) {
    throw new DeviceUnreachable(`daemon ${url} unreachable: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`)
  }
  if (res.status >= 500) throw new DeviceUnreachable(`daemon ${url} failed: HTTP ${res.status} ${await res.text().catch(() => '')}`)
  if (!res.ok) throw new Error(`daemon ${url} refused the workload: HTTP ${res.status} ${await res.text().catch(() => '')}`)
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
export async function replay(url: string, what: Emulated, timeoutMs: number): Promise<ReplayOutcome> {
  const t0 = performance.now()
  const call = async (path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> => {
    let res: Response
    try {
      res = await fetch(new URL(path, url), { ...init, signal: AbortSignal.timeout(timeoutMs) })
    } catch (e) {
      throw new DeviceUnreachable(`daemon ${url} unreachable: ${(e as Error).message}`)
    }
    if (res.status >= 500) throw new DeviceUnreachable(`daemon ${url} failed: HTTP ${res.status}`)
    return { status: res.status, body: await res.json().catch(() => ({})) as Record<string, unknown> }
  }
  const started = await call('/v1/replays', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(what) })
  if (started.status >= 400) throw new Error(`daemon ${url} refused the replay: HTTP ${started.status} ${JSON.stringify(started.body.error ?? started.body)}`)
  const id = String(started.body.id)
  for (;;) {
    const r = await call(`/v1/replays/${id}`)
    const state = String(r.body.state)
    if (TERMINAL.has(state)) return { ok: state === 'completed', state, totalMs: performance.now() - t0, message: state === 'completed' ? '' : `replay ${state}` }
    if (performance.now() - t0 > timeoutMs) throw new Error(`replay ${id} on ${url} still ${state} after ${timeoutMs} ms`)
    await new Promise((res) => setTimeout(res, 50))
  }
}
