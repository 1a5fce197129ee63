/**
 * Charts of what people look at: a replay (planned vs executed per thread, error, drift) and a
 * recorded trace (every metric over time), as SVG or PNG.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { ConflictError } from '../../common/errors.js'
import { svgToPng } from '../../common/plot.js'
import { tracesSvg } from '../../telemetry/index.js'
import type { DaemonContext } from '../context.js'
import { replaySvg } from '../replay-plot.js'
import { IdParam } from '../schemas.js'
import type { WindowSummary } from '../types.js'
import { BEARER, errors } from './helpers.js'

const PlotQuery = z.object({ format: z.enum(['svg', 'png']).default('svg') })
const IMAGE = { content: { 'image/svg+xml': { schema: z.string() }, 'image/png': { schema: z.string() } }, description: 'Chart' }

function image(c: Context, svg: string, format: 'svg' | 'png'): Response {
  return format === 'svg'
    ? c.body(svg, 200, { 'Content-Type': 'image/svg+xml' })
    : c.body(new Uint8Array(svgToPng(svg)), 200, { 'Content-Type': 'image/png' })
}

export function plotRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  const read = ctx.auth('read')

  app.openapi(createRoute({
    method: 'get', path: '/v1/replays/{id}/plot', summary: 'Chart: planned vs executed per thread, timing error, drift', tags: ['replays'],
    middleware: [read] as const, security: BEARER, request: { params: IdParam, query: PlotQuery },
    responses: { 200: IMAGE, ...errors(400, 401, 403, 404) },
  }), async (c) => {
    const { id } = c.req.valid('param')
    const record = await ctx.replays.get(id)
    const windows = await ctx.store.values<WindowSummary>(ctx.store.windows, { prefix: id })
    return image(c, replaySvg(record, windows), c.req.valid('query').format)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/traces/{id}/plot', summary: 'Chart: every metric of a trace over time', tags: ['traces'],
    middleware: [read] as const, security: BEARER, request: { params: IdParam, query: PlotQuery },
    responses: { 200: IMAGE, ...errors(400, 401, 403, 404, 409) },
  }), async (c) => {
    const { id } = c.req.valid('param')
    const meta = await ctx.traces.get(id)
    const trace = await ctx.traces.trace(id)
    if (trace.rows.length === 0) throw new ConflictError(`trace ${id} has no rows yet; the first comes after ${meta.periodS} s`)
    const svg = tracesSvg([{ label: meta.name, trace }], { title: `trace ${meta.name} (${id})` })
    return image(c, svg, c.req.valid('query').format)
  })
}
