/**
 * Replays: start a profile or a stored/inline composition, list, status, window reports, stop.
 * The SSE progress stream is in replay-events.ts.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { NotFoundError } from '../../common/errors.js'
import type { DaemonContext } from '../context.js'
import { IdParam, ReplayRecordSchema, StartReplaySchema, WindowSummarySchema } from '../schemas.js'
import type { ReplaySource, WindowSummary } from '../types.js'
import { BEARER, errors, json } from './helpers.js'

type StartBody = z.infer<typeof StartReplaySchema>

async function resolve(ctx: DaemonContext, b: StartBody): Promise<{ composition: unknown; source: ReplaySource }> {
  if (b.profile !== undefined) return { composition: ctx.profiles.build(b.profile), source: { kind: 'profile', name: b.profile } }
  if (b.compositionId !== undefined) {
    const entry = await ctx.store.compositions.get(b.compositionId)
    if (!entry) throw new NotFoundError(`no composition '${b.compositionId}'`)
    return { composition: ctx.engine.parse(entry.composition), source: { kind: 'composition', id: b.compositionId } }
  }
  return { composition: ctx.engine.parse(b.composition), source: { kind: 'inline' } }
}

export function replayRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  const tags = ['replays']
  const read = ctx.auth('read')

  app.openapi(createRoute({
    method: 'post', path: '/v1/replays', summary: 'Start a replay (one at a time per device)', tags,
    middleware: [ctx.auth('replay')] as const, security: BEARER,
    request: { body: { ...json(StartReplaySchema, 'What to replay, how often, when'), required: true } },
    responses: { 202: json(ReplayRecordSchema, 'Started or scheduled'), ...errors(400, 401, 403, 404, 409, 413, 422) },
  }), async (c) => {
    const body = c.req.valid('json')
    const { composition, source } = await resolve(ctx, body)
    const startAt = typeof body.startAt === 'string' ? Date.parse(body.startAt) : body.startAt
    const record = await ctx.replays.start({ composition, source, repeat: body.repeat, ...(startAt === undefined ? {} : { startAt }) })
    return c.json(record, 202, { Location: `/v1/replays/${record.id}` })
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/replays', summary: 'Replay records, newest first', tags, middleware: [read] as const, security: BEARER,
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }) },
    responses: { 200: json(z.array(ReplayRecordSchema), 'Records'), ...errors(400, 401, 403) },
  }), async (c) => {
    const { limit } = c.req.valid('query')
    const stored = await ctx.store.values(ctx.store.replays, { reverse: true, limit })
    const live = ctx.replays.current()
    return c.json(stored.map((r) => (live && r.id === live.id ? live : r)), 200)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/replays/current', summary: 'The scheduled or running replay, or null', tags, middleware: [read] as const, security: BEARER,
    responses: { 200: json(z.object({ current: ReplayRecordSchema.nullable() }), 'Current replay'), ...errors(401, 403) },
  }), (c) => c.json({ current: ctx.replays.current() ?? null }, 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/replays/{id}', summary: 'Replay status', tags, middleware: [read] as const, security: BEARER,
    request: { params: IdParam },
    responses: { 200: json(ReplayRecordSchema, 'Record'), ...errors(401, 403, 404) },
  }), async (c) => c.json(await ctx.replays.get(c.req.valid('param').id), 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/replays/{id}/windows', summary: 'Per-window reports: planned vs executed per thread', tags,
    middleware: [read] as const, security: BEARER, request: { params: IdParam },
    responses: { 200: json(z.array(WindowSummarySchema), 'Window reports stored so far'), ...errors(401, 403, 404) },
  }), async (c) => {
    const { id } = c.req.valid('param')
    await ctx.replays.get(id)
    return c.json(await ctx.store.values<WindowSummary>(ctx.store.windows, { prefix: id }), 200)
  })

  app.openapi(createRoute({
    method: 'post', path: '/v1/replays/{id}/stop', summary: 'Stop a replay; answers once its stressors have stopped', tags,
    middleware: [ctx.auth('replay')] as const, security: BEARER, request: { params: IdParam },
    responses: { 200: json(ReplayRecordSchema, 'Final record'), ...errors(401, 403, 404, 409) },
  }), async (c) => {
    const who = c.get('principal').name
    return c.json(await ctx.replays.stop(c.req.valid('param').id, `stopped by request (${who})`), 200)
  })
}
