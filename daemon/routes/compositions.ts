/**
 * Stored compositions: upload (validated and checked against the caps), list, get, delete.
 * @module
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { ConflictError, NotFoundError } from '../../common/errors.js'
import type { DaemonContext } from '../context.js'
import { CompositionEntrySchema, IdParam, UploadCompositionSchema } from '../schemas.js'
import type { CompositionEntry } from '../types.js'
import { BEARER, errors, json } from './helpers.js'

/** A stored composition without its windows. */
export const summary = ({ composition: _c, ...rest }: CompositionEntry) => rest

/**
 * Validates a composition, checks it against the caps and stores it under `id` (with fsync).
 * @throws InvalidInputError, CapExceededError, ConflictError when the id exists.
 */
export async function storeComposition(ctx: DaemonContext, id: string, input: unknown): Promise<CompositionEntry> {
  const { store } = ctx
  const comp = ctx.engine.parse(input)
  ctx.engine.checkCaps(comp, ctx.config().caps)
  if (await store.compositions.get(id)) throw new ConflictError(`composition '${id}' exists; delete it first or choose another id`)
  const entry: CompositionEntry = { id, createdAt: Date.now(), ...ctx.engine.shape(comp), composition: comp }
  await store.putSync(store.compositions, id, entry)
  return entry
}

export function compositionRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  const { store } = ctx
  const tags = ['compositions']

  app.openapi(createRoute({
    method: 'post', path: '/v1/compositions', summary: 'Upload a composition under an id', tags,
    middleware: [ctx.auth('replay')] as const, security: BEARER,
    request: { body: { ...json(UploadCompositionSchema, 'Id and composition JSON'), required: true } },
    responses: { 201: json(CompositionEntrySchema, 'Stored'), ...errors(400, 401, 403, 409, 413, 422) },
  }), async (c) => {
    const { id, composition } = c.req.valid('json')
    return c.json(summary(await storeComposition(ctx, id, composition)), 201)
  })

  app.openapi(createRoute({
    method: 'get', path: '/v1/compositions', summary: 'List stored compositions', tags,
    middleware: [ctx.auth('read')] as const, security: BEARER,
    responses: { 200: json(z.array(CompositionEntrySchema), 'Summaries'), ...errors(401, 403) },
  }), async (c) => c.json((await store.values(store.compositions)).map(summary), 200))

  app.openapi(createRoute({
    method: 'get', path: '/v1/compositions/{id}', summary: 'A stored composition (the JSON as uploaded, normalised)', tags,
    middleware: [ctx.auth('read')] as const, security: BEARER,
    request: { params: IdParam },
    responses: { 200: json(z.unknown().openapi('Composition'), 'Composition'), ...errors(401, 403, 404) },
  }), async (c) => {
    const { id } = c.req.valid('param')
    const entry = await store.compositions.get(id)
    if (!entry) throw new NotFoundError(`no composition '${id}'`)
    return c.json(entry.composition as Record<string, unknown>, 200)
  })

  app.openapi(createRoute({
    method: 'delete', path: '/v1/compositions/{id}', summary: 'Delete a stored composition', tags,
    middleware: [ctx.auth('admin')] as const, security: BEARER,
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404) },
  }), async (c) => {
    const { id } = c.req.valid('param')
    if (!(await store.compositions.get(id))) throw new NotFoundError(`no composition '${id}'`)
    await store.db.batch([{ type: 'del', sublevel: store.compositions, key: id }], { sync: true })
    return c.body(null, 204)
  })
}
