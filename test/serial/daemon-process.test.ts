// A real daemon process: SIGKILL during a replay, then a clean restart; SIGTERM; SIGHUP.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { DaemonClient } from '../../cli/client.js'
import type { ReplayRecord } from '../../daemon/index.js'
import { generateToken } from '../../daemon/index.js'
import { tinyComposition } from '../helpers/daemon-fixture.js'

const MAIN = new URL('../../cli/main.ts', import.meta.url).pathname

interface Proc { child: ChildProcess; url: string; log: () => string; exited: Promise<{ code: number | null; signal: string | null }> }

function startProcess(configPath: string): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'daemon', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })))
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString()
      const m = log.match(/listening on (http:\/\/\S+)/)
      if (m) resolve({ child, url: m[1]!, log: () => log, exited })
    })
    void exited.then(({ code }) => reject(new Error(`daemon exited (${code}) before listening:\n${log}`)))
  })
}

async function waitFor<T>(fn: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 50))
  }
}

function setup(t: { teardown(fn: () => void): void }, extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'edgemime-proc-'))
  const diskDir = join(dir, 'disk')
  const configPath = join(dir, 'config.json')
  const write = (more: Record<string, unknown>) => writeFileSync(configPath, JSON.stringify({ port: 0, dataDir: join(dir, 'data'), caps: { diskDir }, ...extra, ...more }))
  write({})
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return { configPath, diskDir, write }
}

/** Disk writes on thread 0 (so a stressor file exists), hashing on thread 1, for a long time. */
const longMixed = () => ({
  version: 1, windowMs: 100, threads: 2,
  stressors: [{ name: 'disk-write-256k-p25', params: { fileBytes: 1 << 20 } }, { name: 'cpu-crc32c', params: { bufferBytes: 65536 } }],
  windows: Array.from({ length: 600 }, () => [[0.5, 0], [0, 0.5]]),
  metadata: {},
})

t.test('SIGKILL during a replay: the restarted daemon marks it interrupted, leaves no stressor behind, loses nothing earlier', async (t) => {
  const { configPath, diskDir } = setup(t)
  let p = await startProcess(configPath)
  t.teardown(() => { p.child.kill('SIGKILL') })
  let client = new DaemonClient({ url: p.url })
  await client.json('/v1/compositions', { method: 'POST', body: { id: 'tiny', composition: tinyComposition() } })
  const first = await client.json<ReplayRecord>('/v1/replays', { method: 'POST', body: { compositionId: 'tiny' } })
  await waitFor(async () => ((await client.json<ReplayRecord>(`/v1/replays/${first.id}`)).state === 'completed' ? true : undefined))
  const victim = await client.json<ReplayRecord>('/v1/replays', { method: 'POST', body: { composition: longMixed() } })
  await waitFor(async () => ((await client.json<ReplayRecord>(`/v1/replays/${victim.id}`)).windowsDone >= 15 ? true : undefined))
  const files = readdirSync(diskDir).filter((f) => f.startsWith('edgemime-stressor-'))
  t.ok(files.length > 0, 'the disk stressor has its file while running')
  const pid = p.child.pid!
  p.child.kill('SIGKILL')
  t.equal((await p.exited).signal, 'SIGKILL')
  t.notOk(existsSync(`/proc/${pid}`), 'no process (and so no stressor thread) is left')

  p = await startProcess(configPath)
  client = new DaemonClient({ url: p.url })
  t.match(p.log(), new RegExp(`replays ${victim.id} .*marked interrupted`))
  const after = await client.json<ReplayRecord>(`/v1/replays/${victim.id}`)
  t.equal(after.state, 'interrupted')
  t.match(after.reason, /without shutting down/)
  t.ok(after.windowsDone >= 1, 'progress flushed before the kill survives')
  t.same(readdirSync(diskDir).filter((f) => f.startsWith('edgemime-stressor-')), [], 'leftover stressor files removed')
  t.match(await client.json(`/v1/replays/${first.id}`), { state: 'completed', windowsDone: 4 })
  t.match(await client.json('/v1/compositions'), [{ id: 'tiny' }])
  t.match(await client.json('/v1/replays/current'), { current: null })
  t.equal((await client.json<ReplayRecord>('/v1/replays', { method: 'POST', body: { compositionId: 'tiny' } })).state, 'running', 'the device is free again')
})

t.test('SIGTERM stops the stressors within 1 s, stores the record and exits 0; SIGHUP reloads the config', async (t) => {
  const { configPath, write } = setup(t)
  let p = await startProcess(configPath)
  t.teardown(() => { p.child.kill('SIGKILL') })
  let client = new DaemonClient({ url: p.url })

  const { token, entry } = generateToken('ops', ['read', 'replay'])
  write({ tokens: [entry] })
  p.child.kill('SIGHUP')
  await waitFor(async () => (/config reloaded \(1 API tokens\)/.test(p.log()) ? true : undefined))
  await t.rejects(client.json('/v1/profiles'), { status: 401, message: /missing or unknown bearer token/ })
  client = new DaemonClient({ url: p.url, token })
  t.ok(Array.isArray(await client.json('/v1/profiles')), 'the new token works without a restart')
  write({ tokens: 'oops' })
  p.child.kill('SIGHUP')
  await waitFor(async () => (/config not reloaded/.test(p.log()) ? true : undefined))
  t.ok(Array.isArray(await client.json('/v1/profiles')), 'a bad config file keeps the running config')

  const rec = await client.json<ReplayRecord>('/v1/replays', { method: 'POST', body: { composition: longMixed() } })
  await waitFor(async () => ((await client.json<ReplayRecord>(`/v1/replays/${rec.id}`)).windowsDone >= 5 ? true : undefined))
  p.child.kill('SIGTERM')
  const { code } = await p.exited
  t.equal(code, 0)
  const stopMs = Number(p.log().match(/stopped in (\d+) ms/)?.[1])
  t.ok(stopMs <= 1000, `stopped in ${stopMs} ms`)

  write({ tokens: [entry] })
  p = await startProcess(configPath)
  client = new DaemonClient({ url: p.url, token })
  t.match(await client.json(`/v1/replays/${rec.id}`), { state: 'stopped', reason: 'daemon received SIGTERM' })
  p.child.kill('SIGTERM')
  t.equal((await p.exited).code, 0)
})
