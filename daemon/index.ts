/**
 * The device daemon: an HTTP API (hono, /v1, OpenAPI) over the stressor runtime and telemetry,
 * with a level store, bearer-token scopes, Prometheus metrics and crash recovery.
 *
 * Embedding (the orchestrator mounts its routes this way):
 * ```ts
 * const daemon = await createDaemon({ config: loadConfig(), extraRoutes: (app, ctx) => { ... } })
 * await daemon.listen()
 * ```
 * `extraRoutes(app, ctx)` receives the OpenAPIHono app (register with `app.openapi(createRoute(...))`
 * to appear in /v1/openapi.json) and the DaemonContext: `ctx.auth(scope)` for the same token
 * scopes, `ctx.replays.current()` to see whether a replay occupies the device, `ctx.store.db`
 * for a sublevel of your own, `ctx.device()` for the fingerprint. To have `edgemime daemon`
 * (`npm start`) mount them, add a line to EXTENSIONS in extensions.ts.
 * @module
 */
export { createDaemon, type Daemon, type DaemonOptions } from './service.js'
export type { ExtraRoutes } from './app.js'
export { EXTENSIONS, loadExtensions, type DaemonExtension } from './extensions.js'
export type { DaemonContext } from './context.js'
export { handleSignals } from './lifecycle.js'
export { assertSafeBinding, authenticate, generateToken, hashToken, type Principal, type Scope } from './auth.js'
export type { ReplayEngine, CompositionShape, EngineRunOptions } from './engine.js'
export { stressorEngine } from './engine-stressors.js'
export type { CompositionEntry, ReplayRecord, ReplayState, TraceMeta, WindowSummary } from './types.js'
export { ProfileLibrary, type ProfileInfo } from './profiles.js'
export type { DeviceInfo } from './device.js'
export type { JobRecord, JobEvent } from './generator-jobs.js'
