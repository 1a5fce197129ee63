/**
 * Server-sent events for one replay: its state now, then `window` (per-window progress,
 * executed vs planned), `telemetry` (live sampler values) and `state` events as they happen,
 * and `end` with the final record, after which the stream closes.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { DaemonContext } from '../context.js'
import type { ReplayEvent } from '../events.js'
import { IdParam } from '../schemas.js'
import { BEARER, errors } from './helpers.js'
import { eventStream } from './sse.js'

const ENDED = new Set(['completed', 'stopped', 'failed', 'interrupted'])

export function replayEventRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  app.openapi(createRoute({
    method: 'get', path: '/v1/replays/{id}/events', tags: ['replays'],
    summary: 'SSE stream: state, window (executed vs planned), telemetry, end',
    middleware: [ctx.auth('read')] as const, security: BEARER, request: { params: IdParam },
    responses: { 200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'Event stream' }, ...errors(401, 403, 404) },
  }), async (c) => {
    const { id } = c.req.valid('param')
    const current = async (): Promise<ReplayEvent> => {
      const r = await ctx.replays.get(id)
      return { event: ENDED.has(r.state) ? 'end' : 'state', data: r }
    }
    return eventStream(c, await current(), {
      current,
      sources: [
        (send) => ctx.events.subscribe(id, send),
        (send) => ctx.telemetry.subscribe((t) => send({ event: 'telemetry', data: t })),
      ],
    })
  })
}
