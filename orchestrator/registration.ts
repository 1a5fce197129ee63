/**
 * The daemon side of the fleet: registers a daemon with an orchestrator (its URL and Pitot
 * platform features) and heartbeats until stopped; re-registers when the orchestrator no
 * longer knows it (restarted, or it marked this device lost). With tokens on both sides it
 * authenticates with `orchestratorToken` (scope device there) and hands over `dispatchToken`,
 * the daemon token the orchestrator must send when it dispatches work here.
 * @module
 */
import type { Config } from '../common/config.js'
import { ConfigError } from '../common/errors.js'
import { authenticate, generateToken } from '../daemon/auth.js'
import type { DeviceInfo } from '../daemon/index.js'

/** What the orchestrator needs on this daemon: start a replay or a workload, poll the replay. */
const DISPATCH_SCOPES = ['read', 'replay'] as const

export interface DispatchCredential {
  /** The daemon config to run with: with a generated token's digest added when one was made. */
  config: Config
  /** The token to hand to the orchestrator; undefined when the daemon API is open. */
  token?: string
  /** Applies the same to a reloaded config (SIGHUP), so a reload does not revoke the token. */
  keep(next: Config): Config
}

/**
 * The credential an agent registers for dispatch. A configured token must be one this daemon
 * accepts with scopes read and replay. Otherwise, when the daemon has tokens, a fresh one is
 * generated and its digest added to the running config only (never written to the config
 * file: it lives as long as this process, and the agent hands it over again whenever it
 * registers). A daemon without tokens gets none: adding one would close its open API.
 * @throws ConfigError when a configured token is not accepted with those scopes.
 */
export function dispatchCredential(config: Config, configured?: string): DispatchCredential {
  if (configured !== undefined) {
    if (config.tokens.length > 0) {
      const p = authenticate(config.tokens, `Bearer ${configured}`)
      const missing = DISPATCH_SCOPES.filter((s) => !p?.scopes.includes(s) && !p?.scopes.includes('admin'))
      if (!p) throw new ConfigError('the dispatch token is not one of this daemon\'s tokens')
      if (missing.length) throw new ConfigError(`the dispatch token '${p.name}' lacks the ${missing.join(', ')} scope on this daemon`)
    }
    return { config, token: configured, keep: (next) => next }
  }
  if (config.tokens.length === 0) return { config, keep: (next) => next }
  const { token, entry } = generateToken('orchestrator-dispatch', [...DISPATCH_SCOPES])
  const keep = (next: Config): Config => (next.tokens.length > 0 ? { ...next, tokens: [...next.tokens, entry] } : next)
  return { config: keep(config), token, keep }
}

export interface RegistrationOptions {
  orchestratorUrl: string
  /** URL where the orchestrator reaches this daemon. */
  selfUrl: string
  name: string
  device: DeviceInfo
  /** Used until the orchestrator states its own period. */
  heartbeatMs?: number
  /** Bearer token for the orchestrator's API (scope device); none for an open orchestrator. */
  orchestratorToken?: string
  /** Token this daemon accepts (scopes read and replay) that the orchestrator dispatches with. */
  dispatchToken?: string
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

  const auth: Record<string, string> = opts.orchestratorToken ? { authorization: `Bearer ${opts.orchestratorToken}` } : {}
  const register = async (): Promise<void> => {
    const res = await fetch(new URL('/v1/devices', opts.orchestratorUrl), {
      method: 'POST', headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        name: opts.name, url: opts.selfUrl, platformFeatures: opts.device.platformFeatures.values, fingerprint: opts.device.fingerprint,
        ...(opts.dispatchToken ? { dispatchToken: opts.dispatchToken } : {}),
      }),
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
        const res = await fetch(new URL(`/v1/devices/${id}/heartbeat`, opts.orchestratorUrl), { method: 'POST', headers: auth })
        if (res.status === 404) { id = undefined; await register() }
        else if (!res.ok) throw new Error(`heartbeat: HTTP ${res.status} ${await res.text()}`)
      }
    } catch (e) {
      // A 401/403 is worth a log line per period as much as a refused connection.
      log(`orchestrator ${opts.orchestratorUrl}: ${(e as Error).message}`)
    }
    if (!stopped) timer = setTimeout(() => void beat(), period)
  }
  void beat()
  return { ready, stop() { stopped = true; clearTimeout(timer) } }
}
