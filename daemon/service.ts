/**
 * createDaemon: opens the store, recovers from a crash, gathers the device facts and builds the
 * app; `listen()` serves it, `reload()` applies a new config, `close()` stops stressors, closes
 * connections and flushes the store. Signals are wired separately (lifecycle.ts) so tests and
 * embedders can drive the same steps directly.
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Config } from '../common/config.js'
import { ConfigError } from '../common/errors.js'
import { createApp, type ExtraRoutes } from './app.js'
import { assertSafeBinding, requireScope } from './auth.js'
import type { DaemonContext } from './context.js'
import { gatherDeviceInfo, type DeviceInfo } from './device.js'
import type { ReplayEngine } from './engine.js'
import { stressorEngine } from './engine-stressors.js'
import { ReplayEvents } from './events.js'
import { GeneratorJobs } from './generator-jobs.js'
import { createMetrics } from './metrics.js'
import { CONFIGS_DIR, ProfileLibrary } from './profiles.js'
import { recover, type RecoveryReport } from './recovery.js'
import { raiseApiThread, stressorsRunLow } from './priority.js'
import { ReplayManager } from './replay-manager.js'
import { Store } from './store.js'
import { TelemetryHub } from './telemetry-hub.js'
import { TraceRecorder } from './trace-recorder.js'

export interface DaemonOptions {
  config: Config
  /** Mounts more routes (e.g. the orchestrator's) on the same app, auth and error handling. */
  extraRoutes?: ExtraRoutes
  /** Default: the stressors-wasm executor, workers at config.workerPriority. */
  engine?: ReplayEngine
  /** One line per lifecycle event; default stderr. */
  log?: (line: string) => void
}

export interface Daemon {
  app: OpenAPIHono
  ctx: DaemonContext
  /** What crash recovery found when the store opened. */
  recovery: RecoveryReport
  /** Starts serving on config host:port (port 0: an ephemeral port). */
  listen(): Promise<{ host: string; port: number; url: string }>
  /** Applies a new config: tokens, caps, sampler period and body limit at once; host/port at restart. */
  reload(config: Config): Promise<void>
  /** Stops the replay and recordings, closes connections, flushes and closes the store. */
  close(reason?: string): Promise<void>
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', CONFIGS_DIR), 'utf8')) as { version: string }).version

/**
 * @example
 * const daemon = await createDaemon({ config: loadConfig(), extraRoutes: (app, ctx) => app.get('/v1/hello', (c) => c.text('hi')) })
 * const { url } = await daemon.listen()
 */
export async function createDaemon(opts: DaemonOptions): Promise<Daemon> {
  const config = opts.config
  const log = opts.log ?? ((line: string) => process.stderr.write(`edgemime daemon: ${line}\n`))
  assertSafeBinding(config)
  const store = await Store.open(config.dataDir)
  try {
    return await assemble(store, opts, log)
  } catch (err) {
    await store.close()
    throw err
  }
}

async function assemble(store: Store, opts: DaemonOptions, log: (line: string) => void): Promise<Daemon> {
  let config = opts.config
  // The disk stressors and the direct-I/O probe need it; creating it at start surfaces permission problems early.
  mkdirSync(config.caps.diskDir, { recursive: true })
  const recovery = await recover(store, config.caps.diskDir)
  if (recovery.replays.length + recovery.traces.length > 0) {
    log(`recovered after an unclean stop: replays ${recovery.replays.join(', ') || '-'} and traces ${recovery.traces.join(', ') || '-'} marked interrupted`)
  }
  let device: DeviceInfo = await gatherDeviceInfo(config.caps.diskDir)
  const metrics = createMetrics()
  const events = new ReplayEvents()
  const priority = raiseApiThread(config.workerPriority)
  const engine = opts.engine ?? stressorEngine({ lowPriority: () => stressorsRunLow(config.workerPriority, priority) })
  log(`API thread ${priority.apiRaised ? 'raised' : 'at normal priority'}; stressors ${stressorsRunLow(config.workerPriority, priority) ? 'at low priority (SCHED_IDLE)' : 'compete at normal priority'}`)
  const caps = () => config.caps
  const telemetry = new TelemetryHub(() => Math.round(config.sampler.periodS * 1000))
  let ready = false
  const closeHooks: (() => Promise<void> | void)[] = []
  const replays = new ReplayManager({ store, events, metrics, engine, caps })
  const ctx: DaemonContext = {
    config: () => config, store, events, metrics, engine, telemetry, replays,
    generatorJobs: await GeneratorJobs.open({ store, replays, config: () => config }),
    profiles: new ProfileLibrary(device.fingerprint.cpu.cores, caps),
    traces: new TraceRecorder(store, () => device.fingerprint),
    device: () => device,
    auth: (scope) => requireScope(scope, () => config.tokens),
    startedAt: Date.now(),
    ready: () => ready,
    onClose: (hook) => { closeHooks.push(hook) },
  }
  // Live telemetry (sampler gauges, SSE) while a replay is active; no sampling while idle.
  let stopLive: (() => void) | undefined
  events.subscribe('*', (e) => {
    if (e.event === 'state' && !stopLive) stopLive = telemetry.subscribe(() => {})
    if (e.event === 'end') { stopLive?.(); stopLive = undefined }
  })
  const app = createApp(ctx, { version: VERSION, extraRoutes: opts.extraRoutes })
  let server: ServerType | undefined
  ready = true

  return {
    app, ctx, recovery,
    listen: () => new Promise((resolve, reject) => {
      server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info: AddressInfo) => {
        const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`
        log(`listening on ${url} (data in ${config.dataDir}, ${config.tokens.length} API tokens)`)
        resolve({ host: info.address, port: info.port, url })
      })
      server.once('error', (err: Error) => reject(new ConfigError(`cannot listen on ${config.host}:${config.port}: ${err.message}`)))
    }),
    async reload(next) {
      assertSafeBinding({ host: config.host, tokens: next.tokens })
      if (next.host !== config.host || next.port !== config.port) log('host/port changes take effect at the next restart')
      const diskChanged = next.caps.diskDir !== config.caps.diskDir
      config = { ...next, host: config.host, port: config.port, dataDir: config.dataDir }
      if (diskChanged) {
        mkdirSync(config.caps.diskDir, { recursive: true })
        device = await gatherDeviceInfo(config.caps.diskDir)
      }
      log(`config reloaded (${config.tokens.length} API tokens)`)
    },
    async close(reason = 'daemon shutting down') {
      ready = false
      await ctx.replays.shutdown(reason)
      await ctx.generatorJobs.shutdown(reason)
      await ctx.traces.stopAll()
      stopLive?.()
      telemetry.close()
      if (server) {
        const s = server
        // SSE streams would hold close() open forever.
        if ('closeAllConnections' in s) s.closeAllConnections()
        await new Promise<void>((r) => s.close(() => r()))
      }
      for (const hook of closeHooks.reverse()) await hook()
      await store.close()
    },
  }
}
