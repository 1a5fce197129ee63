/**
 * The bundled contention profiles, and each one's composition as built for this device.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { DaemonContext } from '../context.js'
import { NameParam, ProfileSchema } from '../schemas.js'
import { BEARER, errors, json } from './helpers.js'

export function profileRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  const tags = ['profiles']
  const read = ctx.auth('read')

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles', summary: 'Bundled contention profiles, sized for this device', tags,
    middleware: [read] as const, security: BEARER,
    responses: { 200: json(z.array(ProfileSchema), 'Profiles'), ...errors(401, 403) },
  }), (c) => c.json(ctx.profiles.list(), 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles/{name}', summary: 'A profile as a composition for this device', tags,
    middleware: [read] as const, security: BEARER, request: { params: NameParam },
    responses: { 200: json(z.unknown().openapi('ProfileComposition'), 'Composition'), ...errors(401, 403, 404) },
  }), (c) => c.json(ctx.profiles.build(c.req.valid('param').name) as unknown as Record<string, unknown>, 200))
}
