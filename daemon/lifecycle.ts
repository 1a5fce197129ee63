/**
 * Process signals for a daemon run from the CLI: SIGTERM/SIGINT stop stressors, flush the store
 * and exit 0; SIGHUP reloads the config file (a bad file keeps the running config). Handlers
 * are registered and removed in pairs.
 * @module
 */
import { loadConfig } from '../common/config.js'
import type { Daemon } from './service.js'

/** How long shutdown may take before the process exits anyway (systemd waits longer). */
const FORCE_EXIT_MS = 5000

export function handleSignals(daemon: Daemon, configPath: string | undefined, log: (line: string) => void): () => void {
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    log(`${signal}: stopping`)
    const t0 = performance.now()
    setTimeout(() => { log('shutdown took too long; exiting'); process.exit(1) }, FORCE_EXIT_MS).unref()
    daemon.close(`daemon received ${signal}`).then(
      () => { log(`stopped in ${Math.round(performance.now() - t0)} ms`); process.exit(0) },
      (err: unknown) => { log(`shutdown failed: ${(err as Error).message}`); process.exit(1) },
    )
  }
  const reload = () => {
    try {
      void daemon.reload(loadConfig(configPath)).catch((err: Error) => log(`SIGHUP: config not reloaded: ${err.message}`))
    } catch (err) {
      log(`SIGHUP: config not reloaded: ${(err as Error).message}`)
    }
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.on('SIGHUP', reload)
  return () => {
    process.off('SIGTERM', stop)
    process.off('SIGINT', stop)
    process.off('SIGHUP', reload)
  }
}
