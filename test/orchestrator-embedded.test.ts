// npm start's one-box mode: the daemon mounts the workload runner and an embedded orchestrator
// (daemon/extensions.ts -> orchestrator/daemon-routes.ts) and places work on itself.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { loadConfig } from '../common/config.js'
import { createDaemon, loadExtensions } from '../daemon/index.js'
import type { PlacementRecord } from '../orchestrator/index.js'
import { OrchestratorStore } from '../orchestrator/store.js'
import { fixtureWasm, toolchainMissing } from './fixtures/workloads/fixtures.js'
import { tempDir } from './helpers/temp-dir.js'

const missing = await toolchainMissing()

/** A port free right now (the embedded device registers at the configured port, so not 0). */
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) })
})

t.test('the daemon places and runs a workload on itself through /orchestrator', { skip: missing ?? false }, async (t) => {
  const dir = tempDir(t, 'edgemime-embedded-')
  const port = await freePort()
  const config = loadConfig(undefined, { EDGEMIME_PORT: String(port), EDGEMIME_DATA_DIR: dir, EDGEMIME_CAPS_DISK_DIR: join(dir, 'disk') })
  const daemon = await createDaemon({ config, log: () => {}, extraRoutes: await loadExtensions() })
  let closed = false
  t.teardown(() => closed || daemon.close())
  const { url } = await daemon.listen()
  const mod = await (await fetch(`${url}/orchestrator/v1/modules`, { method: 'POST', body: await fixtureWasm('sort') })).json() as { hash: string }
  let rec = await (await fetch(`${url}/orchestrator/v1/placements`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ module: mod.hash, args: ['20', '1'], deadlineMs: 60_000 }),
  })).json() as PlacementRecord
  t.equal(rec.decision.device !== undefined, true, 'placed on the local device')
  while (rec.status === 'running') {
    await new Promise((r) => setTimeout(r, 50))
    rec = await (await fetch(`${url}/orchestrator/v1/placements/${rec.id}`)).json() as PlacementRecord
  }
  t.equal(rec.status, 'done', rec.reason ?? '') // '' is tap's default message, as undefined was
  t.match(rec.result?.stdout, /sort n=20000 reps=1/)
  t.equal(rec.attempts[0]!.deviceName, 'local')

  // An emulated workload (an inline stressor composition) is placed and replayed the same way,
  // and while it runs it is a co-runner of the next placement.
  const composition = { version: 1, windowMs: 100, threads: 1, stressors: [{ name: 'cpu-fp-simd', params: {} }], windows: [[[0.8]], [[0.8]], [[0.8]], [[0.8]], [[0.8]]], metadata: {} }
  let emu = await (await fetch(`${url}/orchestrator/v1/placements`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ emulated: { composition }, deadlineMs: 60_000 }),
  })).json() as PlacementRecord
  t.equal(emu.status, 'running', emu.reason ?? '')
  const next = await (await fetch(`${url}/orchestrator/v1/placements`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ module: mod.hash, args: ['20', '1'], deadlineMs: 60_000, dryRun: true }),
  })).json() as PlacementRecord
  t.equal(next.decision.candidates[0]!.corunners[0]?.placementId, emu.id, 'the replay is a co-runner of the next placement')
  while (emu.status === 'running') {
    await new Promise((r) => setTimeout(r, 50))
    emu = await (await fetch(`${url}/orchestrator/v1/placements/${emu.id}`)).json() as PlacementRecord
  }
  t.equal(emu.status, 'done', emu.reason ?? '')
  t.ok(emu.result!.totalMs >= 400, `replayed its 5 windows of 100 ms (${emu.result!.totalMs.toFixed(0)} ms)`)
  const bad = await fetch(`${url}/orchestrator/v1/placements`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deadlineMs: 10 }) })
  t.equal(bad.status, 400, 'neither a module nor an emulated workload')
  const svg = await (await fetch(`${url}/orchestrator/v1/plots/learning.svg`)).text()
  t.match(svg, /^<svg[\s\S]*\/2 within the bound/, 'the learning plot shows both observations')

  // Closing the daemon closes the embedded orchestrator too: its background profiling of the
  // module has ended (the profile is on disk) and its store is released with every placement.
  await daemon.close()
  closed = true
  t.equal(readdirSync(join(dir, 'orchestrator', 'profiles')).filter((f) => f.endsWith('.json')).length, 1, 'the module\'s profile was written before close returned')
  const store = await OrchestratorStore.open(join(dir, 'orchestrator', 'store'))
  t.teardown(() => store.close())
  const stored = await store.placements()
  t.same(stored.map((p) => p.status).sort(), ['done', 'done', 'dry-run'], 'the store opens again (not locked) and holds the placements')
})
