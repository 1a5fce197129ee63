/**
 * Server-sent events for one replay: its state now, then `window` (per-window progress,
 * executed vs planned), `telemetry` (live sampler values) and `state` events as they happen,
 * and `end` with the final record, after which the stream closes.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { streamSSE } from 'hono/streaming'
import type { DaemonContext } from '../context.js'
import type { ReplayEvent } from '../events.js'
import { IdParam } from '../schemas.js'
import { BEARER, errors } from './helpers.js'

const HEARTBEAT_MS = 15_000
const ENDED = new Set(['completed', 'stopped', 'failed', 'interrupted'])

export function replayEventRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  app.openapi(createRoute({
    method: 'get', path: '/v1/replays/{id}/events', tags: ['replays'],
    summary: 'SSE stream: state, window (executed vs planned), telemetry, end',
    middleware: [ctx.auth('read')] as const, security: BEARER, request: { params: IdParam },
    responses: { 200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'Event stream' }, ...errors(401, 403, 404) },
  }), async (c) => {
    const { id } = c.req.valid('param')
    const first = await ctx.replays.get(id)
    return streamSSE(c, async (stream) => {
      let seq = 0
      // Writes are chained so events keep their order even when published in a burst.
      let chain = Promise.resolve()
      const send = (e: ReplayEvent) => {
        chain = chain.then(() => stream.writeSSE({ event: e.event, id: String(seq++), data: JSON.stringify(e.data) }))
        return chain
      }
      if (ENDED.has(first.state)) {
        await send({ event: 'end', data: first })
        return
      }
      let finish!: () => void
      const finished = new Promise<void>((r) => { finish = r })
      const unsubscribe = ctx.events.subscribe(id, (e) => {
        void send(e)
        if (e.event === 'end') finish()
      })
      const stopTelemetry = ctx.telemetry.subscribe((t) => { void send({ event: 'telemetry', data: t }) })
      const heartbeat = setInterval(() => { chain = chain.then(() => stream.write(': keep-alive\n\n')).then(() => {}) }, HEARTBEAT_MS)
      stream.onAbort(finish)
      try {
        // The record may have ended between get() and subscribe(): re-read before waiting.
        const now = await ctx.replays.get(id)
        await send({ event: ENDED.has(now.state) ? 'end' : 'state', data: now })
        if (!ENDED.has(now.state)) await finished
        await chain
      } finally {
        clearInterval(heartbeat)
        stopTelemetry()
        unsubscribe()
      }
    })
  })
}
