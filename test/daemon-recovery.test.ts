import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { recover } from '../daemon/recovery.js'
import { Store, seqKey } from '../daemon/store.js'
import type { ReplayRecord, TraceMeta } from '../daemon/index.js'

const replay = (id: string, state: ReplayRecord['state']): ReplayRecord => ({
  id, source: { kind: 'profile', name: 'cpu-burst' }, state, createdAt: 1, startAt: 1, repeat: 1,
  windowMs: 1000, threads: 2, windowsTotal: 30, windowsDone: 7,
})

t.test('recover marks unfinished records interrupted and removes only stressor files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgemime-recovery-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const diskDir = join(dir, 'disk')
  mkdirSync(diskDir)
  for (const f of ['edgemime-stressor-123-0.dat', '.edgemime-probe-123-456', 'keep-me.txt']) writeFileSync(join(diskDir, f), 'x')

  let store = await Store.open(dir)
  await store.putSync(store.replays, 'r-a', replay('r-a', 'completed'))
  await store.putSync(store.replays, 'r-b', replay('r-b', 'running'))
  await store.putSync(store.replays, 'r-c', replay('r-c', 'scheduled'))
  const trace: TraceMeta = { id: 't-a', name: 'x', state: 'recording', periodS: 1, createdAt: 1, columns: ['time_s'], rows: 2 }
  await store.putSync(store.traces, 't-a', trace)
  await store.traceRows.batch([{ type: 'put', key: seqKey('t-a', 0), value: [1] }, { type: 'put', key: seqKey('t-a', 1), value: [2] }])
  await store.close()

  store = await Store.open(dir)
  t.teardown(() => store.close())
  const report = await recover(store, diskDir, 42)
  t.same(report.replays.sort(), ['r-b', 'r-c'])
  t.same(report.traces, ['t-a'])
  t.same(report.diskFiles.sort(), ['.edgemime-probe-123-456', 'edgemime-stressor-123-0.dat'])
  t.ok(existsSync(join(diskDir, 'keep-me.txt')), 'other files in diskDir are left alone')
  t.match(await store.replays.get('r-b'), { state: 'interrupted', endedAt: 42, windowsDone: 7, reason: /without shutting down/ })
  t.match(await store.replays.get('r-a'), { state: 'completed' })
  t.match(await store.traces.get('t-a'), { state: 'interrupted', rows: 2 })
  t.same(await store.values(store.traceRows, { prefix: 't-a' }), [[1], [2]], 'recorded rows survive')
  t.same(await recover(store, diskDir), { replays: [], traces: [], diskFiles: [] }, 'a second run finds nothing')
})
