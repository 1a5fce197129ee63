/**
 * What `edgemime daemon` / `npm start` mounts (daemon/extensions.ts): the device's workload
 * runner (POST /v1/workloads/run) and, for one-box use, an embedded orchestrator under
 * /orchestrator (its whole API: /orchestrator/v1/placements, ...) with this daemon registered
 * as its one device. A fleet runs `edgemime orchestrator` separately and `orchestrator agent`
 * on each device instead.
 *
 * The daemon's own tokens guard the embedded API (scope replay). When the daemon has tokens,
 * the embedded orchestrator dispatches to it with the bearer token of the latest request that
 * passed that guard: a token with replay scope here is exactly what running a workload or a
 * replay here needs, and the daemon's config holds only digests, so there is no other
 * credential to use. It is kept in memory only.
 * @module
 */
import { join } from 'node:path'
import { bearerToken } from '../daemon/auth.js'
import type { ExtraRoutes } from '../daemon/index.js'
import { ProfileCache } from '../workloads/profile.js'
import { workloadRoutes } from '../workloads/daemon-routes.js'
import { createOrchestratorApp } from './app.js'
import { loadOrchestratorConfig } from './config.js'
import { Fleet, type Device } from './fleet.js'
import { OnlineModel } from './online-model.js'
import { Orchestrator, SHUTDOWN_PROFILING_MS } from './orchestrator.js'
import { OrchestratorStore } from './store.js'

const PREFIX = '/orchestrator'

export const routes: ExtraRoutes = (app, ctx) => {
  workloadRoutes(app, ctx)
  let embedded: Promise<{ app: { fetch: (req: Request) => Response | Promise<Response> }; device: () => Device; close: () => Promise<void> }> | undefined
  // Built on first use: the store lives under the daemon's dataDir, known only from ctx.
  const start = async () => {
    const cfg = ctx.config()
    const config = loadOrchestratorConfig(undefined, { dataDir: join(cfg.dataDir, 'orchestrator') })
    const store = await OrchestratorStore.open(join(config.dataDir, 'store'))
    const core = new Orchestrator(config, new Fleet(), new OnlineModel(), store, new ProfileCache(join(config.dataDir, 'profiles')))
    await core.recover()
    // In-process device: registered at the daemon's configured address, alive as long as we are.
    const { id } = await core.registerDevice({ name: 'local', url: `http://${cfg.host}:${cfg.port}`, platformFeatures: ctx.device().platformFeatures.values })
    const heartbeat = setInterval(() => core.fleet.heartbeat(id), config.heartbeatMs).unref()
    // As `edgemime orchestrator` does on SIGTERM: dispatches (cut short by the daemon's own
    // shutdown) settle and background profiling gets its grace before the store closes.
    const close = async () => {
      clearInterval(heartbeat)
      core.stop()
      await core.idle(SHUTDOWN_PROFILING_MS)
      await store.close()
    }
    return { app: createOrchestratorApp(core), device: () => core.fleet.get(id), close }
  }
  // A start that failed answered its request with the error; there is nothing to close then.
  ctx.onClose(async () => { await (await embedded?.catch(() => undefined))?.close() })
  app.all(`${PREFIX}/*`, ctx.auth('replay'), async (c) => {
    embedded ??= start()
    const { app: orchestrator, device } = await embedded
    const bearer = bearerToken(c.req.header('authorization'))
    if (bearer && ctx.config().tokens.length > 0) device().token = bearer
    const url = new URL(c.req.url)
    url.pathname = url.pathname.slice(PREFIX.length)
    return orchestrator.fetch(new Request(url, c.req.raw))
  })
}
