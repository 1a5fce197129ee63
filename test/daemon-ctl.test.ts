// `edgemime ctl` against a real daemon on an ephemeral loopback port.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ApiError, DaemonClient } from '../cli/client.js'
import { ctl } from './helpers/ctl.js'
import { generateToken } from '../daemon/index.js'
import { startDaemon, tinyComposition } from './helpers/daemon-fixture.js'

t.test('ctl: profiles, device, compositions, replay start/status/list, traces, with --json and human output', async (t) => {
  const op = generateToken('op', ['admin'])
  const d = await startDaemon(t, { tokens: [op.entry] })
  const { url } = await d.listen()
  const dir = mkdtempSync(join(tmpdir(), 'edgemime-ctl-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const auth = ['--url', url, '--token', op.token]

  const profiles = await ctl('profiles', ...auth, '--json')
  t.equal(profiles.code, 0)
  t.ok((JSON.parse(profiles.out) as { name: string }[]).some((p) => p.name === 'cpu-burst'))
  t.match((await ctl('profiles', ...auth)).out, /^PROFILE\s+KIND\s+WINDOWS/)
  t.match((await ctl('device', ...auth)).out, /native addon/)

  const file = join(dir, 'tiny.json')
  writeFileSync(file, JSON.stringify(tinyComposition()))
  t.match((await ctl('compositions', 'upload', 'tiny', file, ...auth)).out, /stored composition tiny: 4 windows x 50 ms/)
  t.match((await ctl('compositions', 'list', ...auth)).out, /tiny\s+4 x 50 ms/)

  const started = await ctl('replay', 'start', '--composition', 'tiny', '--json', ...auth)
  const rec = JSON.parse(started.out) as { id: string }
  const watched = await ctl('replay', 'watch', rec.id, ...auth)
  t.equal(watched.code, 0)
  t.match(watched.out, new RegExp(`replay\\s+${rec.id}[\\s\\S]*state\\s+completed[\\s\\S]*windows\\s+4/4`))
  t.match(JSON.parse((await ctl('replay', 'status', ...auth, '--json')).out), { id: rec.id, state: 'completed' }, 'status without an id: the latest')
  t.match((await ctl('replay', 'list', ...auth)).out, new RegExp(`${rec.id}\\s+composition tiny\\s+completed\\s+4/4`))
  t.match((await ctl('replay', 'windows', rec.id, ...auth)).out, /^WINDOW\s+DRIFT MS/)
  const png = join(dir, 'replay.png')
  t.equal((await ctl('replay', 'plot', rec.id, '--out', png, ...auth)).code, 0)
  t.equal(readFileSync(png).subarray(1, 4).toString(), 'PNG')
  await t.rejects(ctl('replay', 'plot', rec.id, '--out', join(dir, 'x.jpg'), ...auth), /must end in \.svg or \.png/)

  const tr = JSON.parse((await ctl('traces', 'start', '--name', 'x', '--period', '0.1', '--json', ...auth)).out) as { id: string }
  await new Promise((r) => setTimeout(r, 350))
  t.match((await ctl('traces', 'stop', tr.id, ...auth)).out, /stopped trace .*: \d+ rows/)
  const csv = join(dir, 'x.csv')
  t.equal((await ctl('traces', 'download', tr.id, '--out', csv, ...auth)).code, 0)
  t.match(readFileSync(csv, 'utf8'), /^time_s,cpu_util_0,/)
  const svg = join(dir, 'trace.svg')
  t.equal((await ctl('traces', 'plot', tr.id, '--out', svg, ...auth)).code, 0)
  t.match(readFileSync(svg, 'utf8'), /^<svg/)
})

t.test('ctl: errors carry the daemon\'s message; env supplies url and token', async (t) => {
  const op = generateToken('op', ['read'])
  const d = await startDaemon(t, { tokens: [op.entry] })
  const { url } = await d.listen()
  await t.rejects(ctl('profiles', '--url', url), { status: 401, message: /401 missing or unknown bearer token/ })
  await t.rejects(ctl('replay', 'start', 'cpu-burst', '--url', url, '--token', op.token), { status: 403, message: /lacks the 'replay' scope/ })
  await t.rejects(ctl('replay', 'stop', '--url', url, '--token', op.token), /no replay is running/)
  await t.rejects(ctl('bogus', '--url', url), /unknown command 'bogus'/)
  await t.rejects(ctl('replay', 'start', 'cpu-burst', '--at', 'soon', '--url', url), /--at: cannot read 'soon'/)
  const viaEnv = new DaemonClient({}, { EDGEMIME_URL: url, EDGEMIME_TOKEN: op.token })
  t.ok(Array.isArray(await viaEnv.json('/v1/profiles')))
  await t.rejects(new DaemonClient({ url: 'http://127.0.0.1:1' }).json('/v1/health'), /cannot reach the daemon at http:\/\/127\.0\.0\.1:1/)
  const err = await viaEnv.json('/v1/replays/r-none').catch((e: unknown) => e)
  t.ok(err instanceof ApiError && err.code === 'EM_NOT_FOUND')
})
