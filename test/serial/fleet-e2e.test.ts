// The issue's end-to-end fleet (issue 7): an orchestrator and three daemons on loopback that
// differ as platforms do (cgroup v1 CPU quotas and V8 tiers), real WASI workloads built from
// the C fixtures, placement -> dispatch -> run -> observation -> online update, a killed daemon.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createOrchestrator, loadOrchestratorConfig, type PlacementRecord } from '../../orchestrator/index.js'
import { fixtureWasm, toolchainMissing, type Fixture } from '../fixtures/workloads/fixtures.js'
import { tempDir } from '../helpers/temp-dir.js'

const missing = await toolchainMissing()
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CGROUP = '/sys/fs/cgroup/cpu'
const cgroups = existsSync(`${CGROUP}/cpu.cfs_quota_us`) && process.getuid?.() === 0

/** Three platforms: CPU share (cgroup quota, % of one core) and V8 tier. */
const PLATFORMS = [
  { name: 'slow-liftoff', quota: 25, flags: ['--liftoff-only'] },
  { name: 'mid-default', quota: 60, flags: [] },
  { name: 'fast-turbofan', quota: 100, flags: ['--no-liftoff'] },
]
const WORKLOADS: Array<{ fixture: Fixture; args: string[] }> = [
  { fixture: 'matmul', args: ['70', '1'] },
  { fixture: 'sha256', args: ['256', '1'] },
  { fixture: 'lz', args: ['128', '1'] },
  { fixture: 'sort', args: ['80', '1'] },
]

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('a fleet of three daemons places, runs, learns and survives a killed daemon', { skip: missing ?? false, timeout: 240_000 }, async (t) => {
  const dir = tempDir(t, 'edgemime-fleet-')
  const o = await createOrchestrator({ config: loadOrchestratorConfig(undefined, { port: 0, dataDir: join(dir, 'orch'), heartbeatMs: 250, lostAfterMs: 1500, profile: false }) })
  const { url } = await o.listen()
  const agents: ChildProcess[] = []
  const groups: string[] = []
  t.teardown(async () => {
    // A cgroup can only be removed once its processes are gone: wait for each agent's exit.
    await Promise.all(agents.map((a) => (a.exitCode !== null || a.signalCode !== null ? undefined : new Promise((r) => { a.once('exit', r); a.kill('SIGKILL') }))))
    await o.close()
    for (const g of groups) { try { rmdirSync(g) } catch (e) { t.comment(`cannot remove ${g}: ${(e as Error).message}`) } }
  })

  for (const [i, p] of PLATFORMS.entries()) {
    const data = join(dir, p.name)
    const child = spawn(process.execPath, [...p.flags, '--import', 'tsx', join(ROOT, 'cli/main.ts'), 'orchestrator', 'agent', '--orchestrator', url, '--name', p.name], {
      env: { ...process.env, EDGEMIME_PORT: '0', EDGEMIME_DATA_DIR: data, EDGEMIME_CAPS_DISK_DIR: join(data, 'disk') },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let log = ''
    child.stderr!.on('data', (c: Buffer) => { log += c.toString() })
    child.on('exit', (code, sig) => { if (sig !== 'SIGKILL') t.comment(`agent ${p.name} exited ${code}: ${log.slice(-500)}`) })
    agents[i] = child
    if (cgroups) {
      const g = `${CGROUP}/edgemime-e2e-${process.pid}-${i}`
      mkdirSync(g, { recursive: true })
      writeFileSync(`${g}/cpu.cfs_period_us`, '100000')
      writeFileSync(`${g}/cpu.cfs_quota_us`, String(p.quota * 1000))
      writeFileSync(`${g}/cgroup.procs`, String(child.pid))
      groups.push(g)
    }
  }
  if (!cgroups) t.comment('no writable cgroup v1 cpu controller: platforms differ by V8 tier only')

  const api = async <T>(path: string, init?: RequestInit): Promise<T> => (await (await fetch(url + path, init)).json()) as T
  for (let i = 0; (await api<unknown[]>('/v1/devices')).length < 3; i++) {
    if (i > 600) throw new Error('daemons did not register within 60 s')
    await sleep(100)
  }
  const modules: string[] = []
  for (const w of WORKLOADS) modules.push((await api<{ hash: string }>('/v1/modules', { method: 'POST', body: await fixtureWasm(w.fixture) })).hash)

  const submit = (w: number, deadlineMs: number, eps = 0.1) => api<PlacementRecord>('/v1/placements', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ module: modules[w], args: WORKLOADS[w]!.args, deadlineMs, eps }),
  })
  const finished = async (id: string): Promise<PlacementRecord> => {
    for (;;) {
      const r = await api<PlacementRecord>(`/v1/placements/${id}`)
      if (r.status !== 'running') return r
      await sleep(50)
    }
  }
  /** Submits in waves of `width` concurrent workloads (co-runners on the devices). */
  const stream = async (n: number, width: number, deadline: (w: number) => number): Promise<PlacementRecord[]> => {
    const out: PlacementRecord[] = []
    for (let i = 0; i < n; i += width) {
      const wave = await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => submit((i + j) % WORKLOADS.length, deadline((i + j) % WORKLOADS.length))))
      out.push(...await Promise.all(wave.map((r) => (r.status === 'running' ? finished(r.id) : r))))
    }
    return out
  }

  // Learning phase: generous deadlines, every run becomes an observation.
  const learn = await stream(30, 3, () => 60_000)
  t.ok(learn.every((r) => r.status === 'done'), `all learning-phase runs finished (${learn.map((r) => r.status).join(',')})`)
  const devicesUsed = new Set(learn.map((r) => r.attempts.at(-1)!.deviceName))
  t.ok(devicesUsed.size >= 2, `work spread over devices: ${[...devicesUsed].join(', ')}`)
  const err = (r: PlacementRecord) => Math.abs(r.result!.totalMs / r.attempts.at(-1)!.predictedMs - 1)
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const early = mean(learn.slice(0, 9).map(err)), late = mean(learn.slice(-9).map(err))
  t.ok(late < early, `predictions improve as observations arrive: first 9 runs ${(100 * early).toFixed(0)}% error -> last 9 ${(100 * late).toFixed(0)}%`)

  // Deadline phase: deadlines near what the fleet can do; slow devices must be avoided.
  const fastest = WORKLOADS.map((_, w) => Math.min(...learn.filter((r) => r.module === modules[w]).map((r) => r.result!.totalMs)))
  const eps = 0.1
  const timed = await stream(30, 2, (w) => Math.round(3 * fastest[w]!))
  for (const r of timed.filter((r) => r.status === 'refused')) {
    const c = r.decision.candidates[0]!
    t.comment(`refused w${modules.indexOf(r.module!)} deadline ${r.deadlineAt - r.submittedAt} ms: closest ${c.device} predicted ${c.predictedMs.toFixed(0)} ms, bound ${c.boundMs.toFixed(0)} ms${c.corunners.length ? `, co-runner bounds ${c.corunners.map((k) => k.boundMs.toFixed(0)).join('/')}` : ''}`)
  }
  t.comment(`fastest learning runs: ${fastest.map((f) => f.toFixed(0)).join(', ')} ms; learning runtimes: ${WORKLOADS.map((_, w) => learn.filter((r) => r.module === modules[w]).map((r) => `${r.attempts.at(-1)!.deviceName[0]}${r.result!.totalMs.toFixed(0)}`).join(' ')).join(' | ')}`)
  const placed = timed.filter((r) => r.status !== 'refused')
  const met = placed.filter((r) => r.metDeadline).length
  t.ok(placed.length >= 10, `most tight workloads placed (${placed.length}/30; refused: ${timed.filter((r) => r.status === 'refused').map((r) => r.reason).slice(0, 2).join(' | ')})`)
  // 30 draws at 1 - eps = 0.9: allow binomial slack of two standard deviations.
  const floor = (1 - eps) - 2 * Math.sqrt(eps * (1 - eps) / Math.max(1, placed.length))
  t.ok(met / placed.length >= floor, `deadlines met at the promised rate: ${met}/${placed.length} (${(100 * met / placed.length).toFixed(0)}%, floor ${(100 * floor).toFixed(0)}%)`)
  const refused = timed.find((r) => r.status === 'refused')
  if (refused) t.ok(refused.decision.candidates.length > 0 && refused.reason, 'a refusal explains itself')

  // A killed daemon: its running work is reported failed there and re-placed elsewhere.
  const long = await submit(0, 120_000)
  t.equal(long.status, 'running')
  const victim = PLATFORMS.findIndex((p) => p.name === long.attempts[0]!.deviceName)
  await sleep(300)
  agents[victim]!.kill('SIGKILL')
  const after = await finished(long.id)
  t.equal(after.attempts[0]!.outcome, 'lost', `first attempt on ${PLATFORMS[victim]!.name} reported lost (${after.attempts[0]!.error})`)
  t.equal(after.status, 'done', `re-placed and finished: ${after.attempts.map((a) => `${a.deviceName}:${a.outcome}`).join(' -> ')}`)
  t.not(after.attempts.at(-1)!.deviceName, PLATFORMS[victim]!.name)
  const devices = await api<Array<{ name: string; live: boolean }>>('/v1/devices')
  t.equal(devices.find((d) => d.name === PLATFORMS[victim]!.name)?.live, false, 'the killed daemon is marked lost')
  const refusedDry = await submit(0, 1)
  t.equal(refusedDry.status, 'refused', 'an impossible deadline is refused with reasons')
  t.match(refusedDry.reason, /no device meets the deadline/)
})
