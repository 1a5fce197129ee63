/**
 * `edgemime orchestrator [--config FILE]` runs the orchestrator (HTTP on config host:port,
 * default 127.0.0.1:7080). `edgemime orchestrator agent --orchestrator URL [--config FILE]`
 * runs a device daemon that also runs placed WebAssembly workloads and registers with the
 * orchestrator. `edgemime orchestrator submit --url URL --wasm FILE --deadline MS` uploads a
 * module, places it and waits for its result. `edgemime orchestrator token` mints a token.
 * Tokens come from the environment by preference (a command line shows in `ps`).
 * @module
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../common/config.js'
import { EdgemimeError, InvalidInputError } from '../common/errors.js'
import { generateToken } from '../daemon/auth.js'
import { createDaemon, handleSignals } from '../daemon/index.js'
import { createOrchestrator, dispatchCredential, loadOrchestratorConfig, ORCHESTRATOR_SCOPES, startRegistration, type OrchestratorScope, type PlacementRecord } from '../orchestrator/index.js'
import { workloadRoutes } from '../workloads/daemon-routes.js'

const USAGE = `usage: edgemime orchestrator [--config FILE] [--port N]
       edgemime orchestrator agent --orchestrator URL [--config DAEMON_CONFIG] [--name NAME]
                                   [--orchestrator-token T] [--dispatch-token T]
       edgemime orchestrator submit --url URL --wasm FILE --deadline MS [--eps E] [--token T] [--json] [-- ARGS...]
       edgemime orchestrator token --name NAME [--scopes device,submit,read,admin]
SIGTERM/SIGINT: wait for running dispatches, close the store, exit 0. SIGHUP: reload the API
        tokens from the config file (other settings at the next restart).
tokens: --orchestrator-token or EDGEMIME_ORCHESTRATOR_TOKEN (scope device on the orchestrator);
        --dispatch-token or EDGEMIME_DISPATCH_TOKEN (a daemon token with read and replay; by
        default one is generated when the daemon has tokens); --token or EDGEMIME_TOKEN for submit
        (scopes submit and read).
`

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'agent') return agent(argv.slice(1))
  if (argv[0] === 'submit') return submit(argv.slice(1))
  if (argv[0] === 'token') return token(argv.slice(1))
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) { process.stdout.write(USAGE); return 0 }
  const overrides = values.port ? { port: Number(values.port) } : {}
  const config = loadOrchestratorConfig(values.config, overrides)
  const log = (line: string) => process.stderr.write(`edgemime orchestrator: ${line}\n`)
  const o = await createOrchestrator({ config, log })
  const { url } = await o.listen()
  log(`listening on ${url} (${config.tokens.length} API tokens)`)
  // SIGHUP rotates API tokens without a restart; a broken file keeps the running config.
  const reload = () => {
    try { o.reload(loadOrchestratorConfig(values.config, overrides)) } catch (e) { log(`SIGHUP: config not reloaded: ${(e as Error).message}`) }
  }
  process.on('SIGHUP', reload)
  await new Promise<void>((resolve) => {
    const stop = () => { process.off('SIGTERM', stop); process.off('SIGINT', stop); resolve() }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
  process.off('SIGHUP', reload)
  await o.close()
  return 0
}

async function agent(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    orchestrator: { type: 'string' }, config: { type: 'string', short: 'c' }, name: { type: 'string' },
    'orchestrator-token': { type: 'string' }, 'dispatch-token': { type: 'string' },
  } })
  if (!values.orchestrator) throw new InvalidInputError('orchestrator agent: --orchestrator URL is required')
  const credential = dispatchCredential(loadConfig(values.config), values['dispatch-token'] ?? env.EDGEMIME_DISPATCH_TOKEN)
  const log = (line: string) => process.stderr.write(`edgemime agent: ${line}\n`)
  const daemon = await createDaemon({ config: credential.config, log, extraRoutes: workloadRoutes })
  handleSignals({ ...daemon, reload: (next) => daemon.reload(credential.keep(next)) }, values.config, log)
  const { url } = await daemon.listen()
  startRegistration({
    orchestratorUrl: values.orchestrator, selfUrl: url, name: values.name ?? url, device: daemon.ctx.device(), log,
    orchestratorToken: values['orchestrator-token'] ?? env.EDGEMIME_ORCHESTRATOR_TOKEN, dispatchToken: credential.token,
  })
  return new Promise<number>(() => {})
}

function token(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { name: { type: 'string' }, scopes: { type: 'string', default: 'submit,read' } } })
  if (!values.name) throw new InvalidInputError('orchestrator token: --name is required')
  const scopes = values.scopes.split(',').map((s) => s.trim())
  const bad = scopes.find((s) => !(ORCHESTRATOR_SCOPES as readonly string[]).includes(s))
  if (bad) throw new InvalidInputError(`orchestrator token: unknown scope '${bad}' (${ORCHESTRATOR_SCOPES.join(', ')})`)
  const { token: secret, entry } = generateToken(values.name, scopes as OrchestratorScope[])
  process.stdout.write(`token (give to clients, shown once): ${secret}\nconfig entry for the orchestrator's "tokens":\n${JSON.stringify(entry, null, 2)}\n`)
  return 0
}

async function submit(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    url: { type: 'string', default: 'http://127.0.0.1:7080' }, wasm: { type: 'string' }, deadline: { type: 'string' },
    eps: { type: 'string' }, json: { type: 'boolean' }, token: { type: 'string' },
  } })
  if (!values.wasm || !values.deadline) throw new InvalidInputError('orchestrator submit: --wasm FILE and --deadline MS are required')
  const bearer = values.token ?? env.EDGEMIME_TOKEN
  const call = async (path: string, init: RequestInit): Promise<unknown> => {
    const res = await fetch(new URL(path, values.url), { ...init, headers: { ...init.headers as Record<string, string>, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } })
    const body = await res.json() as { error?: { message: string } }
    if (!res.ok && res.status !== 422) throw new EdgemimeError(`${path}: HTTP ${res.status}: ${body.error?.message ?? JSON.stringify(body)}`)
    return body
  }
  const mod = await call('/v1/modules', { method: 'POST', body: readFileSync(values.wasm) }) as { hash: string }
  let rec = await call('/v1/placements', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ module: mod.hash, args: positionals, deadlineMs: Number(values.deadline), ...(values.eps ? { eps: Number(values.eps) } : {}) }) }) as PlacementRecord
  while (rec.status === 'running') {
    await new Promise((r) => setTimeout(r, 200))
    rec = await call(`/v1/placements/${rec.id}`, {}) as PlacementRecord
  }
  if (values.json) { process.stdout.write(`${JSON.stringify(rec, null, 2)}\n`); return rec.status === 'done' ? 0 : 1 }
  const a = rec.attempts.at(-1)
  process.stdout.write(rec.status === 'done'
    ? `done on ${a?.deviceName}: ${rec.result?.totalMs.toFixed(1)} ms (predicted ${a?.predictedMs.toFixed(1)}, bound ${a?.boundMs.toFixed(1)}), deadline ${rec.metDeadline ? 'met' : 'missed'}\n${rec.result?.stdout ?? ''}`
    : `${rec.status}: ${rec.reason ?? ''}\n${rec.decision.candidates.map((c) => `  ${c.device} bound ${c.boundMs.toFixed(1)} ms ${c.reason ?? 'feasible'}`).join('\n')}\n`)
  return rec.status === 'done' ? 0 : 1
}
