/**
 * The hono application: middleware (latency metrics, body limit), every /v1 route, the
 * orchestrator's extra routes, the OpenAPI document, and the one place where errors become
 * HTTP responses.
 * @module
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { HTTPException } from 'hono/http-exception'
import { bodyLimit } from 'hono/body-limit'
import type { Context } from 'hono'
import { EdgemimeError } from '../common/errors.js'
import type { DaemonContext } from './context.js'
import { latencyMiddleware } from './metrics.js'
import { compositionRoutes } from './routes/compositions.js'
import { generateRoutes } from './routes/generate.js'
import { generatorJobRoutes } from './routes/generator-jobs.js'
import { plotRoutes } from './routes/plots.js'
import { profileRoutes } from './routes/profiles.js'
import { replayEventRoutes } from './routes/replay-events.js'
import { replayRoutes } from './routes/replays.js'
import { systemRoutes } from './routes/system.js'
import { traceRoutes } from './routes/traces.js'

/** Adds routes to the daemon's app (see createDaemon's `extraRoutes`). */
export type ExtraRoutes = (app: OpenAPIHono, ctx: DaemonContext) => void

const errorBody = (code: string, message: string) => ({ error: { code, message } })

function onError(err: Error, c: Context): Response {
  if (err instanceof EdgemimeError) {
    if (err.status === 401) c.header('WWW-Authenticate', 'Bearer realm="edgemime"')
    return c.json(errorBody(err.code, err.message), err.status as 400)
  }
  if (err instanceof HTTPException) {
    return c.json(errorBody(`EM_HTTP_${err.status}`, err.message || 'request failed'), err.status)
  }
  process.emitWarning(`unhandled error in ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`, { code: 'EDGEMIME_API_500' })
  return c.json(errorBody('EM_INTERNAL', `internal error: ${err.message}`), 500)
}

export function createApp(ctx: DaemonContext, { version, extraRoutes }: { version: string; extraRoutes?: ExtraRoutes | undefined }): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return
      const issue = result.error.issues[0]!
      const where = result.target + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
      return c.json(errorBody('EM_INVALID_INPUT', `${where}: ${issue.message}`), 400)
    },
  })
  app.use('*', latencyMiddleware(ctx.metrics))
  app.use('*', (c, next) => bodyLimit({
    maxSize: ctx.config().maxBodyBytes,
    onError: (c) => c.json(errorBody('EM_BODY_TOO_LARGE', `request body over ${ctx.config().maxBodyBytes} bytes (maxBodyBytes)`), 413),
  })(c, next))
  app.onError(onError)
  app.notFound((c) => c.json(errorBody('EM_NOT_FOUND', `no route ${c.req.method} ${c.req.path} (see /v1/openapi.json)`), 404))

  systemRoutes(app, ctx, version)
  compositionRoutes(app, ctx)
  profileRoutes(app, ctx)
  replayRoutes(app, ctx)
  replayEventRoutes(app, ctx)
  traceRoutes(app, ctx)
  plotRoutes(app, ctx)
  generateRoutes(app, ctx)
  generatorJobRoutes(app, ctx)
  extraRoutes?.(app, ctx)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' })
  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'edgemime device daemon', version, description: 'Contention profiles, composition replays, traces and metrics of one edge device' },
  })
  return app
}
