/**
 * createOrchestrator: refuses an open API beyond loopback, opens the level store, builds the
 * model, fleet, core and HTTP app, and recovers placements and the model from the store;
 * `listen()` serves it and starts the lost-device sweep; `close()` stops both, waits for
 * running dispatches to settle and for background profiling (up to SHUTDOWN_PROFILING_MS) and
 * closes the store.
 * @module
 */
import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import { ProfileCache } from '../workloads/profile.js'
import { assertSafeBinding } from '../daemon/auth.js'
import { createOrchestratorApp } from './app.js'
import type { OrchestratorConfig } from './config.js'
import { Fleet } from './fleet.js'
import { loadPredictor } from '../predictor/index.js'
import { OnlineModel } from './online-model.js'
import { PitotRuntimeModel } from './pitot-model.js'
import { Orchestrator, SHUTDOWN_PROFILING_MS } from './orchestrator.js'
import { OrchestratorStore } from './store.js'
import type { RuntimeModel } from './types.js'

export interface OrchestratorService {
  app: Hono
  core: Orchestrator
  listen(): Promise<{ url: string; port: number }>
  /**
   * Applies a reloaded config's API tokens at once (what SIGHUP does); other changes wait for
   * the next restart, and the log says so.
   * @throws ConfigError when the new tokens would leave a non-loopback API open (nothing changes)
   */
  reload(next: OrchestratorConfig): void
  close(): Promise<void>
}

export interface OrchestratorOptions {
  config: OrchestratorConfig
  /** Default: a fresh OnlineModel. */
  model?: RuntimeModel
  log?: (line: string) => void
}

/** The Pitot predictor when the config names a trained model, else a fresh online model. */
function defaultModel(config: OrchestratorConfig): RuntimeModel {
  return config.model ? new PitotRuntimeModel(loadPredictor(config.model)) : new OnlineModel()
}

/** @example const o = await createOrchestrator({ config: loadOrchestratorConfig() }); await o.listen() */
export async function createOrchestrator({ config, model = defaultModel(config), log }: OrchestratorOptions): Promise<OrchestratorService> {
  assertSafeBinding(config)
  mkdirSync(config.dataDir, { recursive: true })
  const store = await OrchestratorStore.open(join(config.dataDir, 'store'))
  const core = new Orchestrator(config, new Fleet(), model, store, new ProfileCache(join(config.dataDir, 'profiles')), log)
  try {
    await core.recover()
  } catch (e) {
    await store.close()
    throw e
  }
  const app = createOrchestratorApp(core)
  let server: ServerType | undefined
  let sweeper: NodeJS.Timeout | undefined
  return {
    app, core,
    listen: () => new Promise((resolve) => {
      server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info: AddressInfo) => {
        sweeper = setInterval(() => core.sweep(), Math.max(50, config.heartbeatMs / 2))
        resolve({ url: `http://${config.host}:${info.port}`, port: info.port })
      })
    }),
    reload(next) {
      const { tokens, ...rest } = next
      assertSafeBinding({ ...core.config, tokens })
      const later = (Object.keys(rest) as (keyof typeof rest)[]).filter((k) => JSON.stringify(rest[k]) !== JSON.stringify(core.config[k]))
      core.config = { ...core.config, tokens }
      log?.(`config reloaded (${tokens.length} API tokens)${later.length ? `; ${later.join(', ')} take effect at the next restart` : ''}`)
    },
    async close() {
      clearInterval(sweeper)
      core.stop()
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
      await core.idle(SHUTDOWN_PROFILING_MS)
      await store.close()
    },
  }
}
