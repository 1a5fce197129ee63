// A shutdown waits for background profiling only so long: an instrumented run can take as long
// as the workload, and a profile is a cache that a later submission makes again.
import t from 'tap'
import { join } from 'node:path'
import { loadOrchestratorConfig } from '../orchestrator/config.js'
import { Fleet } from '../orchestrator/fleet.js'
import { OnlineModel } from '../orchestrator/online-model.js'
import { Orchestrator } from '../orchestrator/orchestrator.js'
import { OrchestratorStore } from '../orchestrator/store.js'
import type { ProfileCache, WorkloadProfile } from '../workloads/profile.js'
import { tempDir } from './helpers/temp-dir.js'

const WASM = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])

/** An orchestrator whose profiling runs until the test ends it. */
async function setup(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t, 'edgemime-orch-shutdown-')
  const store = await OrchestratorStore.open(join(dir, 'store'))
  t.teardown(() => store.close())
  let finish: (p: WorkloadProfile) => void = () => {}
  const profiling = new Promise<WorkloadProfile>((resolve) => { finish = resolve })
  // Stands in for a long instrumented run (ProfileCache runs the workload itself).
  const profiles = { profile: () => profiling } as unknown as ProfileCache
  const core = new Orchestrator(loadOrchestratorConfig(undefined, { dataDir: dir }), new Fleet(), new OnlineModel(), store, profiles, () => {})
  const { hash } = await core.addModule(WASM)
  await core.submit({ module: hash, deadlineMs: 1000 })
  return { core, finish: () => finish({ hash, key: hash, features: [1], counts: {} } as unknown as WorkloadProfile) }
}

t.test('idle(ms) stops waiting for profiling after ms; idle() waits for it', async (t) => {
  const { core, finish } = await setup(t)
  const t0 = performance.now()
  await core.idle(50)
  t.ok(performance.now() - t0 < 5_000, 'bounded: it returns while the profiling still runs')
  let done = false
  const waiting = core.idle().then(() => { done = true })
  await new Promise((r) => setTimeout(r, 100))
  t.equal(done, false, 'unbounded: still waiting while the profiling runs')
  finish()
  await waiting
  t.equal(done, true, 'and done once it ended')
})
