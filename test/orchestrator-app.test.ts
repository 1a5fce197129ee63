import t from 'tap'
import { createOrchestrator, loadOrchestratorConfig } from '../orchestrator/index.js'
import { tempDir } from './helpers/temp-dir.js'

async function service(t: { teardown(fn: () => unknown): void }, overrides = {}) {
  const dir = tempDir(t, 'edgemime-orch-')
  const o = await createOrchestrator({ config: loadOrchestratorConfig(undefined, { port: 0, dataDir: dir, profile: false, lostAfterMs: 200, ...overrides }) })
  t.teardown(() => o.close())
  // body: a JSON value, or raw bytes (ArrayBuffer-backed: BodyInit takes no SharedArrayBuffer view).
  // json is null only for a 204; the tests that read a response's fields expect it to have one.
  const call = async (method: string, path: string, body?: Uint8Array<ArrayBuffer> | object) => {
    const res = await o.app.request(`http://orch${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : (body instanceof Uint8Array ? body : JSON.stringify(body)) })
    return { status: res.status, json: res.status === 204 ? null : await res.json() as Record<string, any> }
  }
  return { o, call }
}

const WASM = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])

t.test('bad input is a 4xx with a message, never a crash', async (t) => {
  const { call } = await service(t)
  t.match(await call('POST', '/v1/placements', { module: 'nope', deadlineMs: 10 }), { status: 400, json: { error: { code: 'EM_INVALID_INPUT', message: /body.module: must be the sha256/ } } })
  t.match(await call('POST', '/v1/placements', { module: 'a'.repeat(64), deadlineMs: 10 }), { status: 404, json: { error: { message: /unknown module/ } } })
  t.match(await call('POST', '/v1/placements', { module: 'a'.repeat(64), deadlineMs: -1 }), { status: 400 })
  t.match(await call('POST', '/v1/modules', Uint8Array.from([1, 2, 3])), { status: 400, json: { error: { message: /not a WebAssembly binary/ } } })
  t.match(await call('POST', '/v1/devices', { name: 'x' }), { status: 400, json: { error: { message: /body.url/ } } })
  t.match(await call('POST', '/v1/devices/unknown/heartbeat'), { status: 404 })
  t.match(await call('GET', '/v1/nothing'), { status: 404 })
  t.throws(() => loadOrchestratorConfig(undefined, { port: -1 } as never), { code: 'EM_CONFIG', message: /port/ })
})

t.test('devices register, heartbeat, go lost when silent, and their placement is refused with reasons', async (t) => {
  const { o, call } = await service(t)
  const reg = await call('POST', '/v1/devices', { name: 'd1', url: 'http://127.0.0.1:1', platformFeatures: [1, 2] })
  t.equal(reg.status, 201)
  t.equal(reg.json!.heartbeatMs, 1000)
  t.equal((await call('POST', `/v1/devices/${reg.json!.id}/heartbeat`)).status, 204)
  const mod = await call('POST', '/v1/modules', WASM)
  t.match(mod, { status: 201, json: { kind: 'preview1', bytes: 8 } })
  const dry = await call('POST', '/v1/placements', { module: mod.json!.hash, deadlineMs: 60_000, dryRun: true })
  t.match(dry.json, { status: 'dry-run', decision: { placed: true, device: reg.json!.id, considered: 1, calibrated: false } })
  t.same((await call('GET', '/v1/devices')).json![0].running, [], 'a dry run leaves nothing running')
  await new Promise((r) => setTimeout(r, 300))
  o.core.sweep()
  t.equal((await call('GET', '/v1/devices')).json![0].live, false)
  t.equal((await call('POST', `/v1/devices/${reg.json!.id}/heartbeat`)).status, 404, 'a lost device must register again')
  const refused = await call('POST', '/v1/placements', { module: mod.json!.hash, deadlineMs: 1000 })
  t.match(refused, { status: 422, json: { status: 'refused', reason: /no live device/ } })
  t.match((await call('GET', `/v1/placements/${refused.json!.id}`)).json, { status: 'refused' })
})

t.test('a dispatch to an unreachable daemon marks it lost and reports the work failed there', async (t) => {
  const { call } = await service(t, { lostAfterMs: 60_000 })
  await call('POST', '/v1/devices', { name: 'ghost', url: 'http://127.0.0.1:9', platformFeatures: [] })
  const mod = await call('POST', '/v1/modules', WASM)
  const rec = await call('POST', '/v1/placements', { module: mod.json!.hash, deadlineMs: 60_000 })
  t.equal(rec.status, 201)
  let r = rec.json!
  for (let i = 0; i < 100 && r.status === 'running'; i++) {
    await new Promise((res) => setTimeout(res, 50))
    r = (await call('GET', `/v1/placements/${r.id}`)).json!
  }
  t.match(r, { status: 'failed', attempts: [{ deviceName: 'ghost', outcome: 'lost', error: /unreachable/ }], reason: /ghost lost and no device/ })
  t.equal((await call('GET', '/v1/devices')).json![0].live, false)
})
