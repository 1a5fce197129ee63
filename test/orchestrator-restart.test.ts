// Restart durability: placement records and the model come back from the level store, and
// placements that were running when the orchestrator stopped are resolved (re-placed while
// their deadline allows, else failed with 'orchestrator restarted'). A stand-in daemon (plain
// node:http) answers dispatches, so the runtimes the model learns are the ones it reports.
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { generateToken } from '../daemon/auth.js'
import { createOrchestrator, loadOrchestratorConfig, RESTARTED, startRegistration, type PlacementRecord } from '../orchestrator/index.js'
import { OrchestratorStore } from '../orchestrator/store.js'
import { tempDir } from './helpers/temp-dir.js'

type Teardown = { teardown(fn: () => unknown): void }
const WASM = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A daemon stand-in. POST /v1/workloads/run reports `reportMs` as the run's time after
 * `delayMs` of real time; with `hold` it keeps requests open until the test ends. Replays
 * (POST /v1/replays, GET /v1/replays/:id) are 'running' while `hold`, then 'completed' with a
 * record that says they took `reportMs`.
 */
async function fakeDaemon(t: Teardown, opts: { reportMs: number; delayMs?: number; hold?: boolean }) {
  let runs = 0
  const replays = new Map<string, number>()
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    if (req.method === 'POST' && req.url === '/v1/replays') {
      const id = `r-${replays.size}`
      replays.set(id, Date.now())
      json(res, 201, { id, state: 'running' })
      return
    }
    const replay = req.method === 'GET' && req.url?.match(/^\/v1\/replays\/(.+)$/)?.[1]
    if (replay) {
      const createdAt = replays.get(replay)
      if (createdAt === undefined) json(res, 404, { error: { message: 'unknown replay' } })
      else json(res, 200, opts.hold ? { id: replay, state: 'running', createdAt } : { id: replay, state: 'completed', createdAt, endedAt: createdAt + opts.reportMs })
      return
    }
    if (req.method !== 'POST' || req.url !== '/v1/workloads/run') { res.writeHead(404).end(); return }
    runs++
    if (opts.hold) return
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ status: 'ok', runtimeMs: opts.reportMs, totalMs: opts.reportMs, exitCode: 0, stdout: 'fake', message: '' }))
    }, opts.delayMs ?? 10)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, opts, runs: () => runs, replays: () => replays.size }
}

async function until<T>(fn: () => Promise<T>, done: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (done(v) || Date.now() > end) return v
    await sleep(50)
  }
}

/** An in-process orchestrator on `dir`; returns its request helper and log lines. */
async function open(dir: string, overrides = {}) {
  const lines: string[] = []
  const o = await createOrchestrator({ config: loadOrchestratorConfig(undefined, { port: 0, dataDir: dir, profile: false, lostAfterMs: 60_000, ...overrides }), log: (l) => lines.push(l) })
  // body: a JSON value, or raw bytes (ArrayBuffer-backed: BodyInit takes no SharedArrayBuffer view).
  const call = async (method: string, path: string, body?: Uint8Array<ArrayBuffer> | object) => {
    const res = await o.app.request(`http://orch${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : (body instanceof Uint8Array ? body : JSON.stringify(body)) })
    return { status: res.status, json: await res.json() as any }
  }
  return { o, call, lines }
}

t.test('placements and the model survive a clean restart', async (t) => {
  const dir = tempDir(t, 'edgemime-orch-restart-')
  const daemon = await fakeDaemon(t, { reportMs: 700 })
  const a = await open(dir)
  await a.call('POST', '/v1/devices', { name: 'edge', url: daemon.url, platformFeatures: [1, 2] })
  const mod = (await a.call('POST', '/v1/modules', WASM)).json.hash as string
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    const rec = (await a.call('POST', '/v1/placements', { module: mod, deadlineMs: 60_000 })).json as PlacementRecord
    ids.push(rec.id)
    t.equal((await until(async () => (await a.call('GET', `/v1/placements/${rec.id}`)).json as PlacementRecord, (r) => r.status !== 'running')).status, 'done')
  }
  const dry = (await a.call('POST', '/v1/placements', { module: mod, deadlineMs: 60_000, dryRun: true })).json as PlacementRecord
  ids.push(dry.id)
  const before = (await a.call('GET', '/v1/placements')).json as PlacementRecord[]
  await a.o.close()

  const b = await open(dir)
  t.teardown(() => b.o.close())
  t.same((await b.call('GET', '/v1/placements')).json, before, 'every record, as it was')
  for (const id of ids) t.equal((await b.call('GET', `/v1/placements/${id}`)).status, 200)
  t.match(b.lines.join('\n'), /recovered 4 placements \(0 to re-attach, 0 to place again, 0 failed.*model rebuilt from 3 observations/)
  t.match((await b.call('GET', '/v1/devices')).json, [], 'devices come back by registering again, not from the store')

  // The model learnt 700 ms for this workload on this device before the restart: a fresh
  // model (another data dir) does not know that, the recovered one does.
  await b.call('POST', '/v1/devices', { name: 'edge', url: daemon.url, platformFeatures: [1, 2] })
  const predicted = async (c: typeof b.call) => ((await c('POST', '/v1/placements', { module: mod, deadlineMs: 60_000, dryRun: true })).json as PlacementRecord).decision.candidates[0]!.predictedMs
  const recovered = await predicted(b.call)
  t.ok(Math.abs(Math.log(recovered / 700)) < 0.2, `recovered model predicts ${recovered.toFixed(0)} ms for a 700 ms workload`)
  const fresh = await open(tempDir(t, 'edgemime-orch-restart-'))
  t.teardown(() => fresh.o.close())
  await fresh.call('POST', '/v1/devices', { name: 'edge', url: daemon.url, platformFeatures: [1, 2] })
  await fresh.call('POST', '/v1/modules', WASM)
  const cold = await predicted(fresh.call)
  t.ok(Math.abs(Math.log(cold / 700)) > 0.5, `a fresh model would not (${cold.toFixed(0)} ms): the check above can tell`)
})

t.test('placements running at a restart fail with "orchestrator restarted" when re-placing is off', async (t) => {
  const dir = tempDir(t, 'edgemime-orch-restart-')
  const store = await OrchestratorStore.open(join(dir, 'store'))
  const now = Date.now()
  const running: PlacementRecord = {
    id: 'p-running', module: 'a'.repeat(64), workload: 'w', args: [], submittedAt: now - 1000, deadlineAt: now + 60_000, eps: 0.1, status: 'running',
    attempts: [{ device: 'd', deviceName: 'edge', predictedMs: 10, boundMs: 20, corunners: 0, startedAt: now - 900 }],
    decision: { placed: true, device: 'd', candidates: [], considered: 1, feasibleCount: 1, calibrated: false, elapsedMs: 1 },
  }
  await store.putPlacement(running)
  await store.putPlacement({ ...running, id: 'p-done', status: 'done', metDeadline: true })
  await store.close()
  const o = await open(dir, { replace: false })
  t.teardown(() => o.o.close())
  t.match((await o.call('GET', '/v1/placements/p-running')).json, { status: 'failed', reason: RESTARTED, attempts: [{ outcome: 'lost', error: RESTARTED }] })
  t.match((await o.call('GET', '/v1/placements/p-done')).json, { status: 'done', metDeadline: true }, 'finished ones are left alone')
})

/** A port free right now (the restarted process must listen where the agent looks). */
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) })
})

const MAIN = new URL('../cli/main.ts', import.meta.url).pathname

function startProcess(t: Teardown, configPath: string): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'orchestrator', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  let log = ''
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString()
      const m = log.match(/listening on (http:\/\/\S+)/)
      if (m) resolve({ child, url: m[1]!, log: () => log })
    })
    child.once('exit', (code) => reject(new Error(`orchestrator exited (${code}) before listening:\n${log}`)))
  })
}

t.test('SIGKILL: a restarted orchestrator answers for earlier placements and resolves the running ones', async (t) => {
  const dir = tempDir(t, 'edgemime-orch-kill-')
  const configPath = join(dir, 'orchestrator.json')
  await writeFile(configPath, JSON.stringify({ port: await freePort(), dataDir: join(dir, 'data'), heartbeatMs: 200, lostAfterMs: 60_000, profile: false }))
  // One device per run that is cut off, so each has a device to itself (no co-runner pools to calibrate).
  const daemons = await Promise.all([1, 2, 3, 4].map(() => fakeDaemon(t, { reportMs: 300 })))
  const first = await startProcess(t, configPath)
  const agentLog: string[] = []
  for (const [i, d] of daemons.entries()) {
    const agent = startRegistration({ orchestratorUrl: first.url, selfUrl: d.url, name: `edge-${i}`, device: { platformFeatures: { values: [i] }, fingerprint: {} } as never, log: (l) => agentLog.push(l) })
    t.teardown(() => agent.stop())
    await agent.ready
  }
  const call = async (method: string, path: string, body?: Uint8Array<ArrayBuffer> | object) => {
    const res = await fetch(`${first.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : (body instanceof Uint8Array ? body : JSON.stringify(body)) })
    return await res.json() as any
  }
  const mod = (await call('POST', '/v1/modules', WASM)).hash as string
  const done = await call('POST', '/v1/placements', { module: mod, deadlineMs: 60_000 }) as PlacementRecord
  await until(async () => await call('GET', `/v1/placements/${done.id}`) as PlacementRecord, (r) => r.status === 'done')

  // From now on the daemons hold every run: these four are running when the process dies.
  for (const d of daemons) d.opts.hold = true
  const spare = await call('POST', '/v1/placements', { module: mod, deadlineMs: 60_000 }) as PlacementRecord
  const tight = await call('POST', '/v1/placements', { module: mod, deadlineMs: 3000 }) as PlacementRecord
  const withFiles = await call('POST', '/v1/placements', { module: mod, deadlineMs: 60_000, files: { 'in.txt': Buffer.from('x').toString('base64') } }) as PlacementRecord
  const emulated = await call('POST', '/v1/placements', { emulated: { profile: 'cpu-burst' }, deadlineMs: 60_000 }) as PlacementRecord
  t.same([spare.status, tight.status, withFiles.status, emulated.status], ['running', 'running', 'running', 'running'])
  await until(async () => daemons.reduce((n, d) => n + d.runs() + d.replays(), 0), (n) => n >= 5)
  const replayId = (await until(async () => await call('GET', `/v1/placements/${emulated.id}`) as PlacementRecord, (r) => r.attempts[0]?.replay !== undefined)).attempts[0]!.replay!.id
  first.child.kill('SIGKILL')
  await new Promise((r) => first.child.once('exit', r))
  await sleep(tight.deadlineAt - Date.now() + 50) // past the tight deadline
  for (const d of daemons) d.opts.hold = false

  const second = await startProcess(t, configPath)
  t.equal(second.url, first.url)
  t.match(second.log(), /recovered 5 placements \(1 to re-attach, 1 to place again, 2 failed: orchestrator restarted\); model rebuilt from 1 observations/)
  t.match(await call('GET', `/v1/placements/${done.id}`), { status: 'done', metDeadline: true }, 'an earlier placement still answers')
  t.match(await call('GET', `/v1/placements/${tight.id}`), { status: 'failed', reason: RESTARTED, attempts: [{ outcome: 'lost', error: RESTARTED }] })
  t.match(await call('GET', `/v1/placements/${withFiles.id}`), { status: 'failed', reason: `${RESTARTED}: its input files were not kept` })
  // The agent re-registers on its next heartbeat (404); the cut-off run is placed again there.
  const replaced = await until(async () => await call('GET', `/v1/placements/${spare.id}`) as PlacementRecord, (r) => r.status !== 'running')
  t.match(replaced, { status: 'done', metDeadline: true, attempts: [{ outcome: 'lost', error: RESTARTED }, { outcome: 'ok', deviceName: /^edge-/ }] })
  t.equal(agentLog.filter((l) => l.startsWith('registered with')).length, 8, 'each agent registered again')
  // The replay is followed where it runs, not started again; its time is the daemon's record.
  const reattached = await until(async () => await call('GET', `/v1/placements/${emulated.id}`) as PlacementRecord, (r) => r.status !== 'running')
  t.match(reattached, { status: 'done', attempts: [{ outcome: 'ok', replay: { id: replayId } }], result: { totalMs: 300 } })
  t.equal(reattached.attempts.length, 1)
  t.equal(daemons.reduce((n, d) => n + d.replays(), 0), 1, 'one replay started, ever')
  t.match(second.log(), new RegExp(`re-attached to replay ${replayId}`))
  second.child.kill('SIGTERM')
  await new Promise((r) => second.child.once('exit', r))
})

t.test('SIGHUP: the orchestrator process takes new API tokens from its config file, and keeps them when the file is broken', async (t) => {
  const dir = tempDir(t, 'edgemime-orch-hup-')
  const configPath = join(dir, 'orchestrator.json')
  const old = generateToken('old', ['read'])
  const rotated = generateToken('new', ['read'])
  const config = { port: await freePort(), dataDir: join(dir, 'data'), profile: false }
  await writeFile(configPath, JSON.stringify({ ...config, tokens: [old.entry] }))
  const { child, url, log } = await startProcess(t, configPath)
  const status = async (token: string) => (await fetch(`${url}/v1/placements`, { headers: { authorization: `Bearer ${token}` } })).status
  t.equal(await status(old.token), 200)
  t.equal(await status(rotated.token), 401)
  await writeFile(configPath, JSON.stringify({ ...config, tokens: [rotated.entry], heartbeatMs: 500 }))
  child.kill('SIGHUP')
  const until = async (ok: () => boolean) => { for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25)) }
  await until(() => /config reloaded/.test(log()))
  t.match(log(), /config reloaded \(1 API tokens\); heartbeatMs take effect at the next restart/)
  t.equal(await status(rotated.token), 200, 'the new token works at once')
  t.equal(await status(old.token), 401, 'the old one no longer does')
  await writeFile(configPath, '{ broken')
  child.kill('SIGHUP')
  await until(() => /SIGHUP: config not reloaded/.test(log()))
  t.match(log(), /SIGHUP: config not reloaded: /)
  t.equal(await status(rotated.token), 200, 'a broken file keeps the running tokens')
})
