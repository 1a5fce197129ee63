/**
 * POST /v1/generate: a target trace in, a stored composition out, generated with the configured
 * generator model. The client replays it with POST /v1/replays {compositionId}.
 * @module
 */
import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi'
import { InvalidInputError } from '../../common/errors.js'
import type { DaemonContext } from '../context.js'
import { generateComposition } from '../generation.js'
import { GeneratedSchema, GenerateSchema, type TraceJsonSchema } from '../schemas.js'
import { newId } from '../store.js'
import { storeComposition, summary } from './compositions.js'
import { BEARER, errors, json } from './helpers.js'

type Body = z.infer<typeof GenerateSchema>

export function generateRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  app.openapi(createRoute({
    method: 'post', path: '/v1/generate', tags: ['generator'],
    summary: 'Generate a composition that reproduces a trace, and store it',
    description: 'The trace is CSV text, its JSON form, or a trace this daemon recorded. Every method needs the model in generator.modelDir (409 without one); the baselines also need its training dataset.',
    middleware: [ctx.auth('replay')] as const, security: BEARER,
    request: { body: { ...json(GenerateSchema, 'Trace, method, optional composition id and seed'), required: true } },
    responses: { 201: json(GeneratedSchema, 'Stored composition'), ...errors(400, 401, 403, 404, 409, 413, 422) },
  }), async (c) => {
    const body = c.req.valid('json')
    const { csv, name } = await targetOf(ctx, body)
    const started = performance.now()
    const g = await generateComposition(ctx.config(), { csv, name, method: body.method, seed: body.seed })
    const entry = await storeComposition(ctx, body.id ?? newId('g'), g.composition)
    return c.json({
      ...summary(entry), source: g.source,
      generation: { method: body.method, trace: name, rows: g.rows, windowsPerRow: g.windowsPerRow, seconds: g.seconds, elapsedMs: Math.round(performance.now() - started) },
    }, 201, { Location: `/v1/compositions/${entry.id}` })
  })
}

/** The target as CSV text (the generator's lenient reader) and its name. */
async function targetOf(ctx: DaemonContext, b: Body): Promise<{ csv: string; name: string }> {
  if (b.traceId !== undefined) {
    const meta = await ctx.traces.get(b.traceId)
    return { csv: await ctx.traces.csv(b.traceId), name: b.name ?? `${meta.name} (${meta.id})` }
  }
  const name = b.name ?? 'uploaded'
  return { csv: typeof b.trace === 'string' ? b.trace : jsonToCsv(b.trace!), name }
}

function jsonToCsv({ columns, rows }: z.infer<typeof TraceJsonSchema>): string {
  const lines = rows.map((r, i) => {
    if (r.length !== columns.length) throw new InvalidInputError(`trace.rows[${i}] has ${r.length} values, trace.columns has ${columns.length}`)
    return r.map((v) => (v === null ? '' : String(v))).join(',')
  })
  return [columns.join(','), ...lines].join('\n')
}
