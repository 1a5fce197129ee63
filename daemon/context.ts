/**
 * What route modules receive: the daemon's parts, built once by createDaemon. Route modules
 * read config through `config()` so a SIGHUP reload reaches them without re-registering.
 * @module
 */
import type { MiddlewareHandler } from 'hono'
import type { Config } from '../common/config.js'
import type { Scope } from './auth.js'
import type { DeviceInfo } from './device.js'
import type { ReplayEngine } from './engine.js'
import type { ReplayEvents } from './events.js'
import type { GeneratorJobs } from './generator-jobs.js'
import type { DaemonMetrics } from './metrics.js'
import type { ProfileLibrary } from './profiles.js'
import type { ReplayManager } from './replay-manager.js'
import type { Store } from './store.js'
import type { TelemetryHub } from './telemetry-hub.js'
import type { TraceRecorder } from './trace-recorder.js'

export interface DaemonContext {
  config(): Config
  store: Store
  events: ReplayEvents
  metrics: DaemonMetrics
  engine: ReplayEngine
  replays: ReplayManager
  profiles: ProfileLibrary
  telemetry: TelemetryHub
  traces: TraceRecorder
  /** Generator collection jobs (they hold the device through replays.occupy). */
  generatorJobs: GeneratorJobs
  device(): DeviceInfo
  /** Middleware requiring a token with `scope` (or admin) when tokens are configured. */
  auth(scope: Scope): MiddlewareHandler
  startedAt: number
  /** False while starting and once shutting down. */
  ready(): boolean
  /**
   * Registers what an extension must finish and close when the daemon closes (its own store,
   * timers). Hooks run after the HTTP server stopped and before the daemon's store closes, the
   * latest registered first.
   */
  onClose(hook: () => Promise<void> | void): void
}
