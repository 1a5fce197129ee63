/**
 * The daemon side of the fleet: registers a daemon with an orchestrator (its URL and Pitot
 * platform features) and heartbeats until stopped; re-registers when the orchestrator no
 * longer knows it (restarted, or it marked this device lost).
 * @module
 */
import type { DeviceInfo } from '../daemon/index.js'

export interface RegistrationOptions {
  orchestratorUrl: string
  /** URL where the orchestrator reaches this daemon. */
  selfUrl: string
  name: string
  device: DeviceInfo
  /** Used until the orchestrator states its own period. */
  heartbeatMs?: number
  log?: (line: string) => void
}

export interface Registration {
  /** Resolves once the first registration succeeded. */
  ready: Promise<string>
  stop(): void
}

/** Starts registering and heartbeating; failures are logged and retried, never thrown. */
export function startRegistration(opts: RegistrationOptions): Registration {
  const log = opts.log ?? ((l: string) => process.stderr.write(`edgemime agent: ${l}\n`))
  let id: string | undefined
  let period = opts.heartbeatMs ?? 1000
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let resolveReady: (id: string) => void
  const ready = new Promise<string>((r) => { resolveReady = r })

  const register = async (): Promise<void> => {
    const res = await fetch(new URL('/v1/devices', opts.orchestratorUrl), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: opts.name, url: opts.selfUrl, platformFeatures: opts.device.platformFeatures.values, fingerprint: opts.device.fingerprint }),
    })
    if (!res.ok) throw new Error(`register: HTTP ${res.status} ${await res.text()}`)
    const body = await res.json() as { id: string; heartbeatMs: number }
    id = body.id
    period = body.heartbeatMs
    log(`registered with ${opts.orchestratorUrl} as ${id}`)
    resolveReady(id)
  }
  const beat = async (): Promise<void> => {
    try {
      if (!id) await register()
      else {
        const res = await fetch(new URL(`/v1/devices/${id}/heartbeat`, opts.orchestratorUrl), { method: 'POST' })
        if (res.status === 404) { id = undefined; await register() }
      }
    } catch (e) {
      log(`orchestrator unreachable: ${(e as Error).message}`)
    }
    if (!stopped) timer = setTimeout(() => void beat(), period)
  }
  void beat()
  return { ready, stop() { stopped = true; clearTimeout(timer) } }
}
