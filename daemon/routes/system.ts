/**
 * Liveness, readiness, device facts, the stressor catalog and Prometheus metrics.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { DaemonContext } from '../context.js'
import { BEARER, errors, json } from './helpers.js'

const Health = z.object({ status: z.literal('ok'), uptimeS: z.number(), version: z.string() }).openapi('Health')
const Ready = z.object({ ready: z.boolean(), replay: z.string().nullable() }).openapi('Ready')

export function systemRoutes(app: OpenAPIHono, ctx: DaemonContext, version: string): void {
  app.openapi(createRoute({
    method: 'get', path: '/v1/health', summary: 'Liveness (no token needed)', tags: ['system'],
    responses: { 200: json(Health, 'The daemon answers') },
  }), (c) => c.json({ status: 'ok' as const, uptimeS: (Date.now() - ctx.startedAt) / 1000, version }, 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/ready', summary: 'Readiness: store open, not shutting down (no token needed)', tags: ['system'],
    responses: { 200: json(Ready, 'Ready'), 503: json(Ready, 'Starting or shutting down') },
  }), (c) => {
    const ready = ctx.ready()
    return c.json({ ready, replay: ctx.replays.current()?.id ?? null }, ready ? 200 : 503)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/device', summary: 'Device fingerprint, platform features and active native features', tags: ['system'],
    middleware: [ctx.auth('read')] as const, security: BEARER,
    responses: { 200: json(z.record(z.string(), z.unknown()).openapi('Device'), 'Device info'), ...errors(401, 403) },
  }), (c) => c.json(ctx.device() as unknown as Record<string, unknown>, 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/stressors', summary: 'Stressor catalog, sized for this device', tags: ['system'],
    middleware: [ctx.auth('read')] as const, security: BEARER,
    responses: { 200: json(z.array(z.unknown()).openapi('Catalog'), 'Catalog'), ...errors(401, 403) },
  }), (c) => c.json(ctx.engine.catalog(), 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/metrics', summary: 'Prometheus metrics (text exposition format)', tags: ['system'],
    middleware: [ctx.auth('read')] as const, security: BEARER,
    responses: { 200: { content: { 'text/plain': { schema: z.string() } }, description: 'Metrics' }, ...errors(401, 403) },
  }), async (c) => {
    ctx.telemetry.exportLatest(ctx.metrics)
    const body = await ctx.metrics.registry.metrics()
    return c.text(body, 200, { 'Content-Type': ctx.metrics.registry.contentType })
  })
}
