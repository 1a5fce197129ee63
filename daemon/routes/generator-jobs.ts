/**
 * Generator collection jobs: start (holds the device like a replay), list, status, stop, and an
 * SSE stream of `state`, `progress` (windows collected / target), `telemetry` and `end`.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { DaemonContext } from '../context.js'
import type { JobEvent } from '../generator-jobs.js'
import { IdParam, JobRecordSchema, StartJobSchema } from '../schemas.js'
import { BEARER, errors, json } from './helpers.js'
import { eventStream } from './sse.js'

export function generatorJobRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  const tags = ['generator']
  const read = ctx.auth('read')
  const jobs = ctx.generatorJobs

  app.openapi(createRoute({
    method: 'post', path: '/v1/generator/jobs', tags,
    summary: 'Start a collection job: run compositions on this device and record what each window does (one replay or job at a time)',
    middleware: [ctx.auth('replay')] as const, security: BEARER,
    request: { body: { ...json(StartJobSchema, 'Dataset name, windows, window length, strategy'), required: true } },
    responses: { 202: json(JobRecordSchema, 'Started'), ...errors(400, 401, 403, 409, 413) },
  }), async (c) => {
    const job = await jobs.start(c.req.valid('json'))
    return c.json(job, 202, { Location: `/v1/generator/jobs/${job.id}` })
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/generator/jobs', summary: 'Collection jobs, newest first', tags, middleware: [read] as const, security: BEARER,
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }) },
    responses: { 200: json(z.array(JobRecordSchema), 'Jobs'), ...errors(400, 401, 403) },
  }), async (c) => c.json(await jobs.list(c.req.valid('query').limit), 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/generator/jobs/current', summary: 'The running collection job, or null', tags, middleware: [read] as const, security: BEARER,
    responses: { 200: json(z.object({ current: JobRecordSchema.nullable() }), 'Current job'), ...errors(401, 403) },
  }), (c) => c.json({ current: jobs.current() ?? null }, 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/generator/jobs/{id}', summary: 'A collection job\'s status', tags, middleware: [read] as const, security: BEARER,
    request: { params: IdParam },
    responses: { 200: json(JobRecordSchema, 'Job'), ...errors(401, 403, 404) },
  }), async (c) => c.json(await jobs.get(c.req.valid('param').id), 200))

  for (const [method, path] of [['delete', '/v1/generator/jobs/{id}'], ['post', '/v1/generator/jobs/{id}/stop']] as const) {
    app.openapi(createRoute({
      method, path, tags, summary: 'Stop a collection job; answers once its stressors have stopped (the dataset stays and resumes)',
      middleware: [ctx.auth('replay')] as const, security: BEARER, request: { params: IdParam },
      responses: { 200: json(JobRecordSchema, 'Final record'), ...errors(401, 403, 404, 409) },
    }), async (c) => c.json(await jobs.stop(c.req.valid('param').id, `stopped by request (${c.get('principal').name})`), 200))
  }

  app.openapi(createRoute({
    method: 'get', path: '/v1/generator/jobs/{id}/events', tags,
    summary: 'SSE stream: state, progress (windowsDone/windows), telemetry, end',
    middleware: [read] as const, security: BEARER, request: { params: IdParam },
    responses: { 200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'Event stream' }, ...errors(401, 403, 404) },
  }), async (c) => {
    const { id } = c.req.valid('param')
    const current = async (): Promise<JobEvent> => {
      const j = await jobs.get(id)
      return { event: j.state === 'running' ? 'state' : 'end', data: j }
    }
    return eventStream(c, await current(), {
      current,
      sources: [
        (send) => jobs.events.subscribe(id, send),
        (send) => ctx.telemetry.subscribe((t) => send({ event: 'telemetry', data: t })),
      ],
    })
  })
}
