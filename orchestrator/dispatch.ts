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
