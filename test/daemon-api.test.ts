import t from 'tap'
import { jsonReq, startDaemon, tinyComposition } from './helpers/daemon-fixture.js'

t.test('system routes: health, readiness, device, catalog, OpenAPI, 404', async (t) => {
  const { app } = await startDaemon(t)
  const health = await app.request('/v1/health')
  t.equal(health.status, 200)
  t.match(await health.json(), { status: 'ok', version: /^\d+\.\d+\.\d+/ })
  t.same(await (await app.request('/v1/ready')).json(), { ready: true, replay: null })
  const device = await (await app.request('/v1/device')).json() as { fingerprint: { cpu: { cores: number } }; native: { addon: boolean }; platformFeatures: { names: string[]; values: number[] } }
  t.ok(device.fingerprint.cpu.cores >= 1)
  t.type(device.native.addon, 'boolean')
  t.equal(device.platformFeatures.names.length, device.platformFeatures.values.length)
  const catalog = await (await app.request('/v1/stressors')).json() as { name: string }[]
  t.ok(catalog.some((s) => s.name === 'cpu-crc32c'))
  const doc = await (await app.request('/v1/openapi.json')).json() as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }
  t.equal(doc.openapi, '3.1.0')
  for (const p of ['/v1/replays', '/v1/replays/{id}/stop', '/v1/compositions/{id}', '/v1/traces/{id}/data', '/v1/metrics', '/v1/profiles']) t.ok(doc.paths[p], `OpenAPI documents ${p}`)
  t.ok(doc.components.schemas.StartReplay, 'request schemas are components')
  const missing = await app.request('/v1/nope')
  t.equal(missing.status, 404)
  t.match(await missing.json(), { error: { code: 'EM_NOT_FOUND' } })
})

t.test('compositions: upload validated, list, get, delete; bad input is a 4xx with a message', async (t) => {
  const { app } = await startDaemon(t, {})
  const up = await app.request('/v1/compositions', jsonReq('POST', { id: 'tiny', composition: tinyComposition() }))
  t.equal(up.status, 201)
  t.match(await up.json(), { id: 'tiny', windows: 4, windowMs: 50, threads: 1, stressors: ['cpu-crc32c'] })
  t.equal((await app.request('/v1/compositions', jsonReq('POST', { id: 'tiny', composition: tinyComposition() }))).status, 409)
  t.match(await (await app.request('/v1/compositions')).json(), [{ id: 'tiny' }])
  t.match(await (await app.request('/v1/compositions/tiny')).json(), { version: 1, windowMs: 50 })

  const bad = async (body: unknown, status: number, message: RegExp) => {
    const r = await app.request('/v1/compositions', jsonReq('POST', body))
    t.equal(r.status, status, String(message))
    t.match((await r.json() as { error: { message: string } }).error.message, message)
  }
  await bad({ id: 'x', composition: { ...tinyComposition(), windows: [[[2]]] } }, 400, /windows\[0\]\[0\]\[0\]/)
  await bad({ id: 'x', composition: { ...tinyComposition(), stressors: [{ name: 'nope' }] } }, 400, /unknown stressor 'nope'/)
  await bad({ id: 'Bad Id!', composition: tinyComposition() }, 400, /json\.id/)
  await bad({ id: 'x', composition: tinyComposition({ threads: 99 }) }, 422, /threads/)
  const notJson = await app.request('/v1/compositions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })
  t.equal(notJson.status, 400)

  t.equal((await app.request('/v1/compositions/tiny', { method: 'DELETE' })).status, 204)
  t.equal((await app.request('/v1/compositions/tiny')).status, 404)
  t.equal((await app.request('/v1/compositions/tiny', { method: 'DELETE' })).status, 404)
})

t.test('request bodies over maxBodyBytes are refused with 413', async (t) => {
  const { app } = await startDaemon(t, { maxBodyBytes: 4096 })
  const big = { id: 'big', composition: tinyComposition({ windows: 2000 }) }
  const r = await app.request('/v1/compositions', jsonReq('POST', big))
  t.equal(r.status, 413)
  t.match(await r.json(), { error: { code: 'EM_BODY_TOO_LARGE' } })
})

t.test('profiles are listed and built for this device within its caps', async (t) => {
  const { app, ctx } = await startDaemon(t, {})
  const profiles = await (await app.request('/v1/profiles')).json() as { name: string; threads: number; kind: string }[]
  const names = profiles.map((p) => p.name)
  for (const n of ['cpu-burst', 'memory-bandwidth', 'cache-thrash', 'io-heavy', 'mix-compress', 'mix-sqlite', 'mix-build', 'mix-numpy']) t.ok(names.includes(n), n)
  const cores = ctx.device().fingerprint.cpu.cores
  t.equal(profiles.find((p) => p.name === 'cpu-burst')!.threads, Math.min(cores, ctx.config().caps.maxThreads))
  const comp = await (await app.request('/v1/profiles/mix-compress')).json() as { windows: number[][][]; stressors: { name: string }[] }
  t.equal(comp.windows.length, 72, 'one window per trace sample')
  t.ok(comp.stressors.some((s) => s.name.startsWith('disk-write')), 'the trace\'s write burst becomes a disk stressor')
  t.equal((await app.request('/v1/profiles/nope')).status, 404)
})

t.test('profiles shrink their buffers to fit small caps', async (t) => {
  const d = await startDaemon(t, { caps: { maxMemoryBytes: 8 << 20, maxThreads: 1 } })
  const comp = d.ctx.profiles.build('memory-bandwidth')
  t.equal(comp.threads, 1)
  t.doesNotThrow(() => d.ctx.engine.checkCaps(comp, d.ctx.config().caps), 'fits the 8 MiB cap')
})

t.test('metrics: Prometheus text with API latency by route pattern', async (t) => {
  const { app } = await startDaemon(t)
  await app.request('/v1/health')
  const r = await app.request('/v1/metrics')
  t.equal(r.status, 200)
  t.match(r.headers.get('content-type'), /text\/plain/)
  const text = await r.text()
  t.match(text, /edgemime_http_request_duration_seconds_count\{method="GET",route="\/v1\/health",status="200"\} 1/)
  t.match(text, /# TYPE edgemime_replays_total counter/)
  t.match(text, /edgemime_process_resident_memory_bytes/)
})

t.test('extensions mount their routes with the daemon\'s auth, errors and OpenAPI document', async (t) => {
  const { createRoute, z } = await import('@hono/zod-openapi')
  const { loadExtensions, generateToken } = await import('../daemon/index.js')
  const { NotFoundError } = await import('../common/errors.js')
  const reader = generateToken('reader', ['read'])
  const extraRoutes = await loadExtensions([{
    name: 'hello',
    load: async () => ({
      routes: (app, ctx) => {
        app.openapi(createRoute({
          method: 'get', path: '/v1/hello/{who}', middleware: [ctx.auth('replay')] as const,
          request: { params: z.object({ who: z.string() }) },
          responses: { 200: { content: { 'application/json': { schema: z.object({ hi: z.string(), busy: z.boolean() }) } }, description: 'hi' } },
        }), (c) => {
          if (c.req.valid('param').who === 'nobody') throw new NotFoundError('nobody is here')
          return c.json({ hi: c.req.valid('param').who, busy: ctx.replays.current() !== undefined }, 200)
        })
      },
    }),
  }])
  t.ok(extraRoutes)
  const { app } = await startDaemon(t, { tokens: [reader.entry] }, { extraRoutes: extraRoutes! })
  t.equal((await app.request('/v1/hello/x', { headers: { authorization: `Bearer ${reader.token}` } })).status, 403, 'same scopes')
  const admin = generateToken('admin', ['admin'])
  const d2 = await startDaemon(t, { tokens: [admin.entry] }, { extraRoutes: extraRoutes! })
  const as = { headers: { authorization: `Bearer ${admin.token}` } }
  t.same(await (await d2.app.request('/v1/hello/x', as)).json(), { hi: 'x', busy: false })
  t.match(await (await d2.app.request('/v1/hello/nobody', as)).json(), { error: { code: 'EM_NOT_FOUND', message: 'nobody is here' } })
  const doc = await (await d2.app.request('/v1/openapi.json')).json() as { paths: Record<string, unknown> }
  t.ok(doc.paths['/v1/hello/{who}'], 'in the OpenAPI document')
  t.equal(await loadExtensions([]), undefined)
})

t.test('a second daemon on the same data directory is refused with a clear message', async (t) => {
  const { createDaemon } = await import('../daemon/index.js')
  const first = await startDaemon(t)
  await t.rejects(createDaemon({ config: first.ctx.config(), log: () => {} }), { code: 'EM_CONFIG', message: /is another daemon using this data directory/ })
})
