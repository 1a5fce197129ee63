/**
 * Trace recordings: start, stop, list, and download as the canonical CSV or as JSON.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { DaemonContext } from '../context.js'
import { IdParam, StartTraceSchema, TraceFormatQuery, TraceMetaSchema } from '../schemas.js'
import type { TraceMeta } from '../types.js'
import { BEARER, errors, json } from './helpers.js'

const summary = ({ sidecar: _s, ...rest }: TraceMeta) => rest

export function traceRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  const tags = ['traces']
  const read = ctx.auth('read')
  const record = ctx.auth('replay')

  app.openapi(createRoute({
    method: 'post', path: '/v1/traces', summary: 'Start recording a trace of this device', tags,
    middleware: [record] as const, security: BEARER,
    request: { body: { ...json(StartTraceSchema, 'Name, period, optional duration'), required: true } },
    responses: { 201: json(TraceMetaSchema, 'Recording'), ...errors(400, 401, 403, 409, 413) },
  }), async (c) => {
    const b = c.req.valid('json')
    const meta = await ctx.traces.start({ name: b.name, periodS: b.periodS ?? ctx.config().sampler.periodS, ...(b.durationS ? { durationS: b.durationS } : {}) })
    return c.json(summary(meta), 201, { Location: `/v1/traces/${meta.id}` })
  })

  app.openapi(createRoute({
    method: 'post', path: '/v1/traces/{id}/stop', summary: 'Stop a recording', tags,
    middleware: [record] as const, security: BEARER, request: { params: IdParam },
    responses: { 200: json(TraceMetaSchema, 'Stopped'), ...errors(401, 403, 404, 409) },
  }), async (c) => c.json(summary(await ctx.traces.stop(c.req.valid('param').id)), 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/traces', summary: 'Recorded traces, newest first', tags,
    middleware: [read] as const, security: BEARER,
    responses: { 200: json(z.array(TraceMetaSchema), 'Traces'), ...errors(401, 403) },
  }), async (c) => c.json((await ctx.traces.list()).map(summary), 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/traces/{id}', summary: 'A trace\'s metadata', tags,
    middleware: [read] as const, security: BEARER, request: { params: IdParam },
    responses: { 200: json(TraceMetaSchema, 'Metadata'), ...errors(401, 403, 404) },
  }), async (c) => c.json(summary(await ctx.traces.get(c.req.valid('param').id)), 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/traces/{id}/data', summary: 'Download the trace (CSV with header, or JSON with the sidecar)', tags,
    middleware: [read] as const, security: BEARER, request: { params: IdParam, query: TraceFormatQuery },
    responses: {
      200: { content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.unknown() } }, description: 'Trace' },
      ...errors(400, 401, 403, 404),
    },
  }), async (c) => {
    const { id } = c.req.valid('param')
    const { format } = c.req.valid('query')
    if (format === 'json') return c.json(await ctx.traces.json(id) as unknown as Record<string, unknown>, 200)
    const meta = await ctx.traces.get(id)
    return c.body(await ctx.traces.csv(id), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${meta.name.replace(/[^\w.-]/g, '_')}-${id}.csv"`,
    })
  })
}
