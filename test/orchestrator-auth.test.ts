// Orchestrator API tokens (daemon/auth.ts reused) and the credential an agent registers so the
// orchestrator can dispatch to a daemon that requires tokens: a real daemon and orchestrator
// on loopback.
import t from 'tap'
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { loadConfig } from '../common/config.js'
import { ConfigError } from '../common/errors.js'
import { generateToken } from '../daemon/auth.js'
import { createDaemon, loadExtensions } from '../daemon/index.js'
import { createOrchestrator, dispatchCredential, loadOrchestratorConfig, startRegistration, type OrchestratorScope, type PlacementRecord } from '../orchestrator/index.js'
import { workloadRoutes } from '../workloads/daemon-routes.js'
import { fixtureWasm, toolchainMissing } from './fixtures/workloads/fixtures.js'
import { tempConfig, tinyComposition } from './helpers/daemon-fixture.js'
import { tempDir } from './helpers/temp-dir.js'

const missing = await toolchainMissing()
const MAIN = new URL('../cli/main.ts', import.meta.url).pathname
const SORT_WASM = new URL('./fixtures/workloads/build/sort.wasm', import.meta.url).pathname
type Teardown = { teardown(fn: () => unknown): void }
const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {})

/** An orchestrator with one token per role; its log lines are kept to check for leaks. */
async function orchestrator(t: Teardown, overrides = {}) {
  const tok = (name: string, scopes: OrchestratorScope[]) => generateToken(name, scopes)
  const roles = { device: tok('agent', ['device']), user: tok('user', ['submit', 'read']), reader: tok('reader', ['read']), admin: tok('ops', ['admin']) }
  const lines: string[] = []
  const dir = tempDir(t, 'edgemime-orch-auth-')
  const o = await createOrchestrator({
    config: loadOrchestratorConfig(undefined, { port: 0, dataDir: dir, profile: false, heartbeatMs: 200, tokens: Object.values(roles).map((r) => r.entry), ...overrides }),
    log: (l) => lines.push(l),
  })
  t.teardown(() => o.close())
  // body: a JSON value, or raw bytes (ArrayBuffer-backed: BodyInit takes no SharedArrayBuffer view).
  // json is null for a response without a JSON body; the tests that read its fields expect one.
  const call = async (method: string, path: string, token?: string, body?: Uint8Array<ArrayBuffer> | object) => {
    const res = await o.app.request(`http://orch${path}`, {
      method, headers: { 'content-type': 'application/json', ...bearer(token) },
      body: body === undefined ? undefined : (body instanceof Uint8Array ? body : JSON.stringify(body)),
    })
    const json = res.headers.get('content-type')?.includes('json') ? await res.json() as Record<string, any> : null
    return { status: res.status, headers: res.headers, json }
  }
  return { o, call, roles, lines }
}

const WASM = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])

async function until<T>(fn: () => Promise<T>, done: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (done(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 50))
  }
}

t.test('each route needs its scope: 401 without or with an unknown token, 403 with the wrong scope', async (t) => {
  const { call, roles, lines } = await orchestrator(t)
  t.equal((await call('GET', '/v1/health')).status, 200, 'health stays open')
  const anon = await call('GET', '/v1/placements')
  t.match(anon, { status: 401, json: { error: { code: 'EM_UNAUTHORIZED' } } })
  t.equal(anon.headers.get('www-authenticate'), 'Bearer realm="edgemime"')
  t.equal((await call('GET', '/v1/placements', `${roles.reader.token}x`)).status, 401)
  t.equal((await call('POST', '/v1/modules', undefined, WASM)).status, 401, 'refused before the body is read')

  // [method, path, body, the scope's token, a token without it]
  const reg = { name: 'd1', url: 'http://127.0.0.1:1', platformFeatures: [1], dispatchToken: 'em_daemon-secret' }
  const cases: Array<[string, string, Uint8Array<ArrayBuffer> | object | undefined, string, string]> = [
    ['POST', '/v1/devices', reg, roles.device.token, roles.user.token],
    ['POST', '/v1/modules', WASM, roles.user.token, roles.reader.token],
    ['GET', '/v1/devices', undefined, roles.reader.token, roles.device.token],
    ['GET', '/v1/placements', undefined, roles.user.token, roles.device.token],
    ['GET', '/v1/plots/learning.svg', undefined, roles.reader.token, roles.device.token],
  ]
  for (const [method, path, body, good, bad] of cases) {
    const denied = await call(method, path, bad, body)
    t.match(denied, { status: 403, json: { error: { code: 'EM_FORBIDDEN', message: /lacks the '(device|submit|read)' scope/ } } }, `${method} ${path} with the wrong scope`)
    const ok = (await call(method, path, good, body)).status
    t.ok(ok === 200 || ok === 201, `${method} ${path} with its scope: ${ok}`)
  }
  const devices = await call('GET', '/v1/devices', roles.reader.token)
  const id = devices.json![0].id as string
  t.equal((await call('POST', `/v1/devices/${id}/heartbeat`, roles.device.token)).status, 204)
  t.equal((await call('POST', `/v1/devices/${id}/heartbeat`, roles.reader.token)).status, 403)
  t.notMatch(JSON.stringify(devices.json), /em_daemon-secret/, 'the dispatch token is never shown')
  t.notMatch(lines.join('\n'), /em_daemon-secret/, 'nor logged')
  const mod = await call('POST', '/v1/modules', roles.admin.token, WASM)
  t.equal(mod.status, 201, 'admin implies submit')
  t.equal((await call('POST', '/v1/placements', roles.reader.token, { module: mod.json!.hash, deadlineMs: 1000, dryRun: true })).status, 403)
  t.match(await call('POST', '/v1/placements', roles.user.token, { module: mod.json!.hash, deadlineMs: 60_000, dryRun: true }), { status: 201, json: { status: 'dry-run' } })

  t.equal((await call('DELETE', `/v1/devices/${id}`, roles.user.token)).status, 403, 'forgetting a device needs admin')
  t.equal((await call('DELETE', `/v1/devices/${id}`, roles.admin.token)).status, 204)
  t.same((await call('GET', '/v1/devices', roles.reader.token)).json, [], 'device and credential gone')
  t.equal((await call('POST', `/v1/devices/${id}/heartbeat`, roles.device.token)).status, 404, 'its agent must register again')
})

t.test('an orchestrator beyond loopback needs tokens; token config is validated', async (t) => {
  const dir = tempDir(t, 'edgemime-orch-auth-')
  await t.rejects(createOrchestrator({ config: loadOrchestratorConfig(undefined, { host: '0.0.0.0', dataDir: dir }) }), { code: 'EM_CONFIG', message: /refusing to listen on 0\.0\.0\.0 without API tokens/ })
  const o = await createOrchestrator({ config: loadOrchestratorConfig(undefined, { host: '0.0.0.0', dataDir: dir, tokens: [generateToken('x', ['read']).entry] }) })
  await o.close()
  t.throws(() => loadOrchestratorConfig(undefined, { tokens: [{ name: 'x', sha256: 'a'.repeat(64), scopes: ['replay'] }] } as never), { code: 'EM_CONFIG', message: /tokens\.0\.scopes\.0/ })
  t.throws(() => loadOrchestratorConfig(undefined, { tokens: [{ name: 'x', sha256: 'plain', scopes: ['read'] }] } as never), { code: 'EM_CONFIG', message: /sha256 hex digest/ })
})

t.test('the agent\'s dispatch credential: configured and checked, or generated only when the daemon has tokens', async (t) => {
  const open = tempConfig({}, t)
  t.same(dispatchCredential(open).token, undefined, 'an open daemon needs none')
  t.same(dispatchCredential(open).config.tokens, [], 'and stays open')
  const op = generateToken('op', ['read', 'replay'])
  const reader = generateToken('reader', ['read'])
  const closed = tempConfig({ tokens: [op.entry, reader.entry] }, t)
  const gen = dispatchCredential(closed)
  t.match(gen.token, /^em_/)
  t.equal(gen.config.tokens.length, 3, 'its digest is added to the running config')
  t.notMatch(JSON.stringify(gen.config), gen.token!, 'only its digest')
  t.equal(gen.keep({ ...closed, tokens: [reader.entry] }).tokens.length, 2, 'a reload keeps it')
  t.equal(gen.keep({ ...closed, tokens: [] }).tokens.length, 0, 'a reload that opens the daemon stays open')
  t.equal(dispatchCredential(closed, op.token).token, op.token)
  t.throws(() => dispatchCredential(closed, reader.token), ConfigError, 'needs replay too')
  t.throws(() => dispatchCredential(closed, reader.token), /lacks the replay scope/)
  t.throws(() => dispatchCredential(closed, 'em_nope'), /not one of this daemon's tokens/)
})

t.test('an agent with tokens registers, and work is dispatched to its token-requiring daemon', { skip: missing ?? false }, async (t) => {
  const { o, call, roles, lines } = await orchestrator(t, { lostAfterMs: 60_000 })
  const { url: orchUrl } = await o.listen()
  // The daemon refuses anyone without one of its tokens: the operator's, or the agent's own.
  const op = generateToken('op', ['read', 'replay'])
  const credential = dispatchCredential(tempConfig({ tokens: [op.entry] }, t))
  const daemon = await createDaemon({ config: credential.config, log: () => {}, extraRoutes: workloadRoutes })
  t.teardown(() => daemon.close())
  const { url } = await daemon.listen()
  t.equal((await fetch(`${url}/v1/replays`)).status, 401, 'the daemon requires tokens')

  const refused = startRegistration({ orchestratorUrl: orchUrl, selfUrl: url, name: 'no-token', device: daemon.ctx.device(), heartbeatMs: 100, log: (l) => lines.push(l) })
  await until(async () => lines.join('\n'), (l) => /register: HTTP 401/.test(l), 5000)
  refused.stop()
  t.match(lines.join('\n'), /register: HTTP 401/, 'an agent without the orchestrator token is refused')
  t.same((await call('GET', '/v1/devices', roles.reader.token)).json, [])

  const reg = startRegistration({
    orchestratorUrl: orchUrl, selfUrl: url, name: 'edge-1', device: daemon.ctx.device(), log: (l) => lines.push(l),
    orchestratorToken: roles.device.token, dispatchToken: credential.token,
  })
  t.teardown(() => reg.stop())
  const id = await reg.ready
  await new Promise((r) => setTimeout(r, 500))
  t.match((await call('GET', '/v1/devices', roles.reader.token)).json, [{ id, name: 'edge-1', live: true }], 'registered and alive on its heartbeats')

  const mod = await call('POST', '/v1/modules', roles.user.token, await fixtureWasm('sort'))
  const place = async (body: object) => {
    const first = await call('POST', '/v1/placements', roles.user.token, { deadlineMs: 60_000, ...body })
    t.equal(first.status, 201, first.json!.reason)
    return await until(async () => (await call('GET', `/v1/placements/${first.json!.id}`, roles.user.token)).json as PlacementRecord, (r) => r.status !== 'running')
  }
  const done = await place({ module: mod.json!.hash, args: ['20', '1'] })
  t.equal(done.status, 'done', done.reason ?? '') // '' is tap's default message, as undefined was
  t.match(done.result?.stdout, /sort n=20000 reps=1/)
  t.equal(done.attempts[0]!.deviceName, 'edge-1')
  // The CLI submitter takes its token from --token or EDGEMIME_TOKEN.
  const cli = (env: Record<string, string>) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, 'orchestrator', 'submit', '--url', orchUrl, '--wasm', SORT_WASM, '--deadline', '60000', '--json', '--', '20', '1'],
      { env: { ...process.env, EDGEMIME_TOKEN: '', ...env } }, (e, out, err) => resolve({ code: e ? (e as { code?: number }).code ?? 1 : 0, out, err }))
  })
  const viaCli = await cli({ EDGEMIME_TOKEN: roles.user.token })
  t.equal(viaCli.code, 0, viaCli.err)
  t.match(JSON.parse(viaCli.out), { status: 'done', result: { stdout: /sort n=20000/ } })
  const anonCli = await cli({})
  t.not(anonCli.code, 0)
  t.match(anonCli.err, /\/v1\/modules: HTTP 401/)
  const replayed = await place({ emulated: { composition: tinyComposition({ windows: 3, windowMs: 100 }) } })
  t.equal(replayed.status, 'done', `an emulated workload is replayed with the token too: ${replayed.reason}`)

  // The same daemon registered again without a dispatch token: the daemon refuses the work.
  t.equal((await call('POST', '/v1/devices', roles.device.token, { name: 'edge-1', url, platformFeatures: [] })).status, 201)
  const bare = await place({ module: mod.json!.hash, args: ['20', '1'] })
  t.match(bare, { status: 'failed', attempts: [{ outcome: 'failed', error: /HTTP 401 \(the daemon does not accept the dispatch token/ }] })
  const all = lines.join('\n')
  for (const secret of [credential.token!, roles.device.token, roles.user.token]) t.notOk(all.includes(secret), 'no token in the logs')
})

/** A port free right now (the embedded device registers at the configured port, so not 0). */
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) })
})

t.test('the embedded orchestrator of a daemon with tokens dispatches with the caller\'s token', { skip: missing ?? false }, async (t) => {
  const dir = tempDir(t, 'edgemime-embedded-auth-')
  const op = generateToken('op', ['read', 'replay'])
  const reader = generateToken('reader', ['read'])
  const config = { ...loadConfig(undefined, { EDGEMIME_PORT: String(await freePort()), EDGEMIME_DATA_DIR: dir, EDGEMIME_CAPS_DISK_DIR: join(dir, 'disk') }), tokens: [op.entry, reader.entry] }
  const daemon = await createDaemon({ config, log: () => {}, extraRoutes: await loadExtensions() })
  t.teardown(() => daemon.close())
  const { url } = await daemon.listen()
  const call = async (path: string, token: string, init: RequestInit = {}) => fetch(`${url}/orchestrator${path}`, { ...init, headers: { ...init.headers as Record<string, string>, ...bearer(token) } })
  t.equal((await call('/v1/modules', reader.token, { method: 'POST', body: WASM })).status, 403, 'the embedded API needs the replay scope here')
  const mod = await (await call('/v1/modules', op.token, { method: 'POST', body: await fixtureWasm('sort') })).json() as { hash: string }
  const first = await (await call('/v1/placements', op.token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ module: mod.hash, args: ['20', '1'], deadlineMs: 60_000 }) })).json() as PlacementRecord
  const rec = await until(async () => await (await call(`/v1/placements/${first.id}`, op.token)).json() as PlacementRecord, (r) => r.status !== 'running')
  t.equal(rec.status, 'done', rec.reason ?? '')
  t.match(rec.result?.stdout, /sort n=20000/)
})

t.test('a device URL belongs to the device token that first registered it, across restarts', async (t) => {
  const a = generateToken('agent-a', ['device'])
  const b = generateToken('agent-b', ['device'])
  const admin = generateToken('ops', ['admin'])
  const dir = tempDir(t, 'edgemime-orch-owner-')
  const start = () => createOrchestrator({ config: loadOrchestratorConfig(undefined, { port: 0, dataDir: dir, profile: false, tokens: [a.entry, b.entry, admin.entry] }), log: () => {} })
  let o = await start()
  t.teardown(() => o.close())
  const call = async (method: string, path: string, token: string, body?: object) => {
    const res = await o.app.request(`http://orch${path}`, { method, headers: { 'content-type': 'application/json', ...bearer(token) }, body: body && JSON.stringify(body) })
    return { status: res.status, json: res.headers.get('content-type')?.includes('json') ? await res.json() as Record<string, any> : null }
  }
  const reg = { name: 'd1', url: 'http://127.0.0.1:1', platformFeatures: [1], dispatchToken: 'em_daemon-secret' }
  const first = await call('POST', '/v1/devices', a.token, reg)
  t.equal(first.status, 201)
  t.match(await call('POST', '/v1/devices', b.token, { ...reg, dispatchToken: 'em_attacker' }), { status: 403, json: { error: { code: 'EM_FORBIDDEN', message: /registered with device token 'agent-a'/ } } },
    'another device token cannot take the URL over')
  t.equal((await call('POST', `/v1/devices/${first.json!.id}/heartbeat`, b.token)).status, 403, 'nor heartbeat its device')
  t.equal((await call('POST', `/v1/devices/${first.json!.id}/heartbeat`, a.token)).status, 204)
  t.equal((await call('POST', '/v1/devices', a.token, reg)).status, 201, 'its own token registers again')

  await o.close()
  o = await start()
  t.equal((await call('POST', '/v1/devices', b.token, reg)).status, 403, 'the binding survives a restart')
  const again = await call('POST', '/v1/devices', a.token, reg)
  t.equal(again.status, 201)
  t.equal((await call('DELETE', `/v1/devices/${again.json!.id}`, admin.token)).status, 204)
  t.equal((await call('POST', '/v1/devices', b.token, reg)).status, 201, 'an admin\'s delete frees the URL')
})
