// A dispatch whose connection closes (the orchestrator died or gave up) stops its workload on
// the daemon, instead of the run going on unseen until its wall-time limit.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { workloadRoutes } from '../workloads/daemon-routes.js'
import { fixtureWasm, toolchainMissing } from './fixtures/workloads/fixtures.js'
import { startDaemon } from './helpers/daemon-fixture.js'
import { tempDir } from './helpers/temp-dir.js'

const missing = await toolchainMissing()

/** Polls until `ok()` holds; false after `ms`. */
async function until(ok: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (ok()) return true
  return ok()
}

t.test('closing the request stops the run', { skip: missing ?? false }, async (t) => {
  // The runner keeps each run's files in a directory under the OS temp dir for as long as the
  // run lasts: point it at a directory of our own to watch the run start and end.
  const tmp = tempDir(t, 'edgemime-cancel-')
  const saved = process.env.TMPDIR
  process.env.TMPDIR = tmp
  t.teardown(() => { if (saved === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = saved })
  const runs = () => readdirSync(tmp).filter((f) => f.startsWith('edgemime-run-'))
  const d = await startDaemon(t, {}, { extraRoutes: workloadRoutes })
  const { url } = await d.listen()
  const wasm = Buffer.from(await fixtureWasm('misbehave')).toString('base64')
  const ac = new AbortController()
  const req = fetch(`${url}/v1/workloads/run`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ wasm, args: ['spin'], wallLimitMs: 120_000 }), signal: ac.signal,
  }).catch((e: Error) => e)
  t.ok(await until(() => runs().length === 1, 10_000), 'the spinning run started')
  ac.abort()
  t.match(await req, { name: 'AbortError' })
  t.ok(await until(() => runs().length === 0, 10_000), 'and ended soon after its requester left, not at its 120 s limit')
})
