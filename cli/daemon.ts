/**
 * `edgemime daemon [--config FILE]` runs the device daemon in the foreground (what `npm start`
 * and the systemd unit run); `edgemime daemon token --name NAME --scopes read,replay` prints a
 * new API token and the config entry (its sha256) to add under "tokens".
 * @module
 */
import { parseArgs } from 'node:util'
import { loadConfig } from '../common/config.js'
import { InvalidInputError } from '../common/errors.js'
import { createDaemon, generateToken, handleSignals, loadExtensions, type Scope } from '../daemon/index.js'

const USAGE = `usage: edgemime daemon [--config FILE]
       edgemime daemon token --name NAME [--scopes read,replay,admin]

Runs the device daemon (HTTP API on config host:port, default 127.0.0.1:7070).
Environment overrides: EDGEMIME_HOST, EDGEMIME_PORT, EDGEMIME_DATA_DIR, EDGEMIME_CAPS_*.
SIGTERM/SIGINT: stop stressors, flush the store, exit 0. SIGHUP: reload the config file.
`

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === 'token') return token(argv.slice(1))
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) { process.stdout.write(USAGE); return 0 }
  const config = loadConfig(values.config)
  const log = (line: string) => process.stderr.write(`edgemime daemon: ${line}\n`)
  const daemon = await createDaemon({ config, log, extraRoutes: await loadExtensions() })
  handleSignals(daemon, values.config, log)
  await daemon.listen()
  // Runs until a signal; the signal handler exits the process.
  return new Promise<number>(() => {})
}

function token(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { name: { type: 'string' }, scopes: { type: 'string', default: 'read' } } })
  if (!values.name) throw new InvalidInputError('daemon token: --name is required')
  const scopes = values.scopes.split(',').map((s) => s.trim())
  const bad = scopes.find((s) => !['read', 'replay', 'admin'].includes(s))
  if (bad) throw new InvalidInputError(`daemon token: unknown scope '${bad}' (read, replay, admin)`)
  const { token: secret, entry } = generateToken(values.name, scopes as Scope[])
  process.stdout.write(`token (give to clients, shown once): ${secret}\nconfig entry for "tokens":\n${JSON.stringify(entry, null, 2)}\n`)
  return 0
}
