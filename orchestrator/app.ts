/**
 * The orchestrator's HTTP API (hono, JSON, zod-validated, errors mapped in one place):
 *   POST   /v1/modules              submit  raw .wasm body -> {hash, kind, bytes}
 *   POST   /v1/devices              device  daemon registration -> {id, heartbeatMs}
 *   POST   /v1/devices/:id/heartbeat device
 *   DELETE /v1/devices/:id          admin   forget a device and its dispatch credential
 *   GET    /v1/devices              read    the fleet with what runs where
 *   POST   /v1/placements           submit  place (and run) a workload; the answer explains itself
 *   GET    /v1/placements[/:id]     read    status, attempts, observed runtime
 *   GET    /v1/plots/learning.svg   read    observed vs predicted runtimes and bounds, error over time
 *   GET    /v1/health               open
 * Scopes are checked by the daemon's bearer-token middleware (daemon/auth.ts); admin implies all.
 * @module
 */
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { EdgemimeError, InvalidInputError } from '../common/errors.js'
import { requireScope } from '../daemon/auth.js'
import type { OrchestratorScope } from './config.js'
import type { Orchestrator } from './orchestrator.js'
import { learningSvg, type PlottedObservation } from './plot.js'

export const PlacementRequestSchema = z.object({
  module: z.string().regex(/^[0-9a-f]{64}$/, 'must be the sha256 hex of an uploaded module').optional(),
  /** An emulated workload replayed by the daemon: a profile name or an inline composition. */
  emulated: z.object({ profile: z.string().min(1).optional(), composition: z.unknown().optional() }).strict()
    .refine((e) => (e.profile === undefined) !== (e.composition === undefined), 'give exactly one of profile, composition').optional(),
  args: z.array(z.string().max(4096)).max(256).optional(),
  files: z.record(z.string(), z.string()).optional(),
  deadlineMs: z.number().positive().max(86_400_000),
  eps: z.number().gt(0).lt(1).optional(),
  name: z.string().max(200).optional(),
  dryRun: z.boolean().optional(),
}).strict().refine((b) => (b.module === undefined) !== (b.emulated === undefined), 'give exactly one of module, emulated')

export const DeviceRegistrationSchema = z.object({
  name: z.string().min(1).max(200),
  url: z.string().url(),
  platformFeatures: z.array(z.number()).max(1000).default([]),
  fingerprint: z.unknown().optional(),
  /**
   * Bearer token the orchestrator sends when it dispatches to this daemon (scopes read and
   * replay there); absent for a daemon without tokens. Never echoed back or logged.
   */
  dispatchToken: z.string().min(1).max(1024).optional(),
}).strict()

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const json = await c.req.json().catch(() => { throw new InvalidInputError('body must be JSON') })
  const r = schema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]!
    throw new InvalidInputError(`body${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`)
  }
  return r.data
}

const errorBody = (code: string, message: string) => ({ error: { code, message } })

export function createOrchestratorApp(o: Orchestrator): Hono {
  const app = new Hono()
  app.use('*', bodyLimit({ maxSize: o.config.maxBodyBytes, onError: (c) => c.json(errorBody('EM_BODY_TOO_LARGE', `request body over ${o.config.maxBodyBytes} bytes`), 413) }))
  app.onError((err, c) => {
    if (err instanceof EdgemimeError) return c.json(errorBody(err.code, err.message), err.status as 400)
    return c.json(errorBody('EM_INTERNAL', `internal error: ${err.message}`), 500)
  })
  app.notFound((c) => c.json(errorBody('EM_NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404))
  const auth = (scope: OrchestratorScope) => requireScope(scope, () => o.config.tokens)

  app.get('/v1/health', (c) => c.json({ ok: true, devices: o.fleet.list().filter((d) => d.live).length }))
  app.post('/v1/modules', auth('submit'), async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    return c.json(await o.addModule(bytes), 201)
  })
  app.post('/v1/devices', auth('device'), async (c) => c.json(await o.registerDevice(await body(c, DeviceRegistrationSchema), c.get('principal')), 201))
  app.post('/v1/devices/:id/heartbeat', auth('device'), (c) => { o.heartbeat(c.req.param('id'), c.get('principal')); return c.body(null, 204) })
  app.delete('/v1/devices/:id', auth('admin'), async (c) => { await o.forgetDevice(c.req.param('id')); return c.body(null, 204) })
  app.get('/v1/devices', auth('read'), (c) => c.json(o.fleet.list().map(({ id, name, url, live, lastSeen, running }) => ({ id, name, url, live, lastSeen, running: running.map((r) => r.placementId) }))))
  app.post('/v1/placements', auth('submit'), async (c) => {
    const rec = await o.submit(await body(c, PlacementRequestSchema))
    return c.json(rec, rec.status === 'refused' ? 422 : 201)
  })
  app.get('/v1/placements', auth('read'), (c) => c.json(o.list()))
  app.get('/v1/plots/learning.svg', auth('read'), async (c) => {
    c.header('content-type', 'image/svg+xml')
    return c.body(learningSvg(await o.store.observations() as PlottedObservation[]))
  })
  app.get('/v1/placements/:id', auth('read'), (c) => c.json(o.get(c.req.param('id'))))
  return app
}
