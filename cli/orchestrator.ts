/**
 * `edgemime orchestrator [--config FILE]` runs the orchestrator (HTTP on config host:port,
 * default 127.0.0.1:7080). `edgemime orchestrator agent --orchestrator URL [--config FILE]`
 * runs a device daemon that also runs placed WebAssembly workloads and registers with the
 * orchestrator. `edgemime orchestrator submit --url URL --wasm FILE --deadline MS` uploads a
 * module, places it and waits for its result.
 * @module
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../common/config.js'
import { EdgemimeError, InvalidInputError } from '../common/errors.js'
import { createDaemon, handleSignals } from '../daemon/index.js'
import { createOrchestrator, loadOrchestratorConfig, startRegistration, type PlacementRecord } from '../orchestrator/index.js'
import { workloadRoutes } from '../workloads/daemon-routes.js'

const USAGE = `usage: edgemime orchestrator [--config FILE] [--port N]
       edgemime orchestrator agent --orchestrator URL [--config DAEMON_CONFIG] [--name NAME]
       edgemime orchestrator submit --url URL --wasm FILE --deadline MS [--eps E] [--json] [-- ARGS...]
`

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'agent') return agent(argv.slice(1))
  if (argv[0] === 'submit') return submit(argv.slice(1))
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) { process.stdout.write(USAGE); return 0 }
  const config = loadOrchestratorConfig(values.config, values.port ? { port: Number(values.port) } : {})
  const log = (line: string) => process.stderr.write(`edgemime orchestrator: ${line}\n`)
  const o = await createOrchestrator({ config, log })
  const { url } = await o.listen()
  log(`listening on ${url}`)
  await new Promise<void>((resolve) => {
    const stop = () => { process.off('SIGTERM', stop); process.off('SIGINT', stop); resolve() }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
  await o.close()
  return 0
}

async function agent(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { orchestrator: { type: 'string' }, config: { type: 'string', short: 'c' }, name: { type: 'string' } } })
  if (!values.orchestrator) throw new InvalidInputError('orchestrator agent: --orchestrator URL is required')
  const config = loadConfig(values.config)
  const log = (line: string) => process.stderr.write(`edgemime agent: ${line}\n`)
  const daemon = await createDaemon({ config, log, extraRoutes: workloadRoutes })
  handleSignals(daemon, values.config, log)
  const { url } = await daemon.listen()
  startRegistration({ orchestratorUrl: values.orchestrator, selfUrl: url, name: values.name ?? url, device: daemon.ctx.device(), log })
  return new Promise<number>(() => {})
}

async function submit(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    url: { type: 'string', default: 'http://127.0.0.1:7080' }, wasm: { type: 'string' }, deadline: { type: 'string' },
    eps: { type: 'string' }, json: { type: 'boolean' },
  } })
  if (!values.wasm || !values.deadline) throw new InvalidInputError('orchestrator submit: --wasm FILE and --deadline MS are required')
  const call = async (path: string, init: RequestInit): Promise<unknown> => {
    const res = await fetch(new URL(path, values.url), init)
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
