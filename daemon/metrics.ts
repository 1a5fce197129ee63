/**
 * Prometheus metrics (prom-client) on a registry of this daemon's own, so several daemons in one
 * process (tests) do not share counters. Names follow the Prometheus conventions: base units
 * (seconds, ratios), `_total` for counters.
 * @module
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'

export interface DaemonMetrics {
  registry: Registry
  replays: Counter<'outcome'>
  replayActive: Gauge
  windows: Counter
  windowError: Histogram
  windowDrift: Histogram
  samplerValue: Gauge<'metric'>
  apiLatency: Histogram<'method' | 'route' | 'status'>
}

export function createMetrics(): DaemonMetrics {
  const registry = new Registry()
  // Process CPU, RSS, heap, event-loop lag: what shows whether stressors starve the service.
  // A 50 ms event-loop-delay resolution instead of 10 ms: fewer wake-ups while idle.
  collectDefaultMetrics({ register: registry, prefix: 'edgemime_', eventLoopMonitoringPrecision: 50 })
  const registers = [registry]
  return {
    registry,
    replays: new Counter({ name: 'edgemime_replays_total', help: 'Replays that ended, by outcome', labelNames: ['outcome'], registers }),
    replayActive: new Gauge({ name: 'edgemime_replay_active', help: '1 while a replay is scheduled or running', registers }),
    windows: new Counter({ name: 'edgemime_replay_windows_total', help: 'Composition windows executed', registers }),
    windowError: new Histogram({
      name: 'edgemime_window_timing_error_ratio',
      help: 'Per window, mean |executed - planned| stressor time as a fraction of the window length',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25],
      registers,
    }),
    windowDrift: new Histogram({
      name: 'edgemime_window_start_drift_seconds',
      help: 'Per window, |actual - planned| start time',
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05],
      registers,
    }),
    samplerValue: new Gauge({ name: 'edgemime_sampler_value', help: 'Latest telemetry sample, by trace column', labelNames: ['metric'], registers }),
    apiLatency: new Histogram({
      name: 'edgemime_http_request_duration_seconds',
      help: 'API request latency by route pattern',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
      registers,
    }),
  }
}

/** Middleware timing every request under its route pattern (not the raw path: bounded labels). */
export function latencyMiddleware(m: DaemonMetrics): MiddlewareHandler {
  return async (c, next) => {
    const t0 = performance.now()
    try {
      await next()
    } finally {
      m.apiLatency.observe(
        { method: c.req.method, route: routePath(c, -1), status: String(c.res.status) },
        (performance.now() - t0) / 1000,
      )
    }
  }
}
