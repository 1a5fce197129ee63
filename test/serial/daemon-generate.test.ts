// Generation through a real daemon, end to end on a tiny budget: a collection job (real stressors,
// in the job's worker thread) streams progress and completes; a tiny model trained on its dataset
// is configured; POST /v1/generate stores compositions that replay; a job and a replay exclude
// each other with 409s.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { DaemonClient } from '../../cli/client.js'
import { ctl } from '../helpers/ctl.js'
import type { CompositionEntry, ReplayRecord } from '../../daemon/index.js'
import { exportOnnx, openDataset, saveModel, train } from '../../generator/index.js'
import { jsonReq, startDaemon, tinyComposition } from '../helpers/daemon-fixture.js'

type App = Awaited<ReturnType<typeof startDaemon>>['app']
interface Job { id: string; state: string; windowsDone: number; windows: number; dir: string; reason?: string }

const TARGET = 'time_s,cpu_util_0,cpu_util_1,disk_read_bytes_per_s,disk_write_bytes_per_s\n' +
  Array.from({ length: 6 }, (_, i) => `${i + 1},${i < 3 ? 90 : 10},5,0,0`).join('\n')

async function replayUntilDone(app: App, compositionId: string): Promise<ReplayRecord> {
  const res = await app.request('/v1/replays', jsonReq('POST', { compositionId }))
  const rec = await res.json() as ReplayRecord
  for (;;) {
    const r = await (await app.request(`/v1/replays/${rec.id}`)).json() as ReplayRecord
    if (!['running', 'scheduled'].includes(r.state)) return r
    await new Promise((res) => setTimeout(res, 50))
  }
}

t.test('collection job -> tiny model -> POST /v1/generate -> replay, with the device held one at a time', async (t) => {
  const daemon = await startDaemon(t, { workerPriority: 'normal' })
  const { app } = daemon
  const { url } = await daemon.listen()
  const client = new DaemonClient({ url })

  // No model configured yet: a clear 409, whatever the method.
  const none = await app.request('/v1/generate', jsonReq('POST', { trace: TARGET, method: 'single' }))
  t.equal(none.status, 409)
  t.match(await none.json(), { error: { message: /no generator model is configured: set generator\.modelDir/ } })

  // A replay holds the device: a job is refused with the replay named.
  const long = await (await app.request('/v1/replays', jsonReq('POST', { composition: tinyComposition({ windows: 400, windowMs: 50 }) }))).json() as ReplayRecord
  const refused = await app.request('/v1/generator/jobs', jsonReq('POST', { windows: 8 }))
  t.equal(refused.status, 409)
  t.match(await refused.json(), { error: { message: new RegExp(`replay ${long.id} .* is running`) } })
  await app.request(`/v1/replays/${long.id}/stop`, jsonReq('POST'))

  // A short random collection job: SSE progress up to the target, then the end record.
  const started = await app.request('/v1/generator/jobs', jsonReq('POST', { name: 'tiny', windows: 40, windowMs: 100, strategy: 'random' }))
  t.equal(started.status, 202)
  const job = await started.json() as Job
  t.match(job, { state: 'running', windows: 40, windowsDone: 0 })
  const busy = await app.request('/v1/replays', jsonReq('POST', { profile: 'cpu-burst' }))
  t.equal(busy.status, 409, 'a replay is refused while the job holds the device')
  t.match(await busy.json(), { error: { message: new RegExp(`generator job ${job.id} .*holds the device.*DELETE /v1/generator/jobs/${job.id}`) } })
  t.equal((await app.request('/v1/generator/jobs', jsonReq('POST', { windows: 8 }))).status, 409, 'one job at a time')

  const progress: number[] = []
  let end: Job | undefined
  for await (const e of client.events(`/v1/generator/jobs/${job.id}/events`)) {
    if (e.event === 'progress') progress.push((e.data as { windowsDone: number }).windowsDone)
    if (e.event === 'end') end = e.data as Job
  }
  t.equal(end?.state, 'completed', end?.reason ?? '')
  t.equal(end?.windowsDone, 40)
  t.ok(progress.length >= 10 && progress.at(-1) === 40, `progress streamed (${progress.length} events, last ${progress.at(-1)})`)
  t.same(progress, [...progress].sort((a, b) => a - b), 'progress only grows')
  t.match(await (await app.request(`/v1/generator/jobs/${job.id}`)).json(), { state: 'completed', windowsDone: 40 })
  t.match(await (await app.request('/v1/generator/jobs')).json(), [{ id: job.id, state: 'completed' }])
  const ds = openDataset(end!.dir)
  t.equal(ds.samples.length, 40, 'the dataset is on disk under generator-data/tiny')
  t.ok(end!.dir.endsWith(join('generator-data', 'tiny')))
  t.ok(ds.samples.some((s) => s.obs[0]! > 20), 'the recorded windows show the stressors')
  t.equal(ds.meta.space.mixedThreads, true, 'by default a thread may compute and do I/O in one window')

  // A tiny model on that dataset (seconds), then configured with a reload, as SIGHUP would.
  const { meta, net } = train(ds.meta.space, ds.samples, { hidden: 16, layers: 2, steps: 10, iterations: 150, batch: 32, seed: 1 })
  meta.training.data = end!.dir
  const modelDir = join(daemon.ctx.config().dataDir, 'model')
  saveModel(modelDir, meta, net, exportOnnx(meta.net, net))
  t.ok(existsSync(join(modelDir, 'model.onnx')))
  await daemon.reload({ ...daemon.ctx.config(), generator: { modelDir } })

  const bad = await app.request('/v1/generate', jsonReq('POST', { trace: 'time_s,cpu_util_0\n1,abc\n', method: 'single' }))
  t.equal(bad.status, 400)
  t.match(await bad.json(), { error: { code: 'EM_INVALID_INPUT', message: /line 2, column cpu_util_0: not a number/ } })

  for (const method of ['single', 'search', 'interpolate', 'diffusion'] as const) {
    const res = await app.request('/v1/generate', jsonReq('POST', { trace: TARGET, method, name: 'steps', id: `gen-${method}` }))
    t.equal(res.status, 201, method)
    const g = await res.json() as CompositionEntry & { source: string; generation: { rows: number; windowsPerRow: number } }
    // 1 s rows at the model's 100 ms windows: 10 windows per row.
    t.match(g, { id: `gen-${method}`, windows: 60, windowMs: 100, threads: 2, source: `generated from trace steps by method ${method}`, generation: { rows: 6, windowsPerRow: 10 } })
    const stored = await (await app.request(`/v1/compositions/${g.id}`)).json() as { metadata: { source: string }; windows: number[][][] }
    t.equal(stored.metadata.source, `generated from trace steps by method ${method}`)
    t.ok(stored.windows.flat(2).every((v) => v >= 0 && v <= 1), 'fractions in [0, 1]')
  }
  // The single baseline follows the target's step: busier first half on core 0.
  const single = await (await app.request('/v1/compositions/gen-single')).json() as { windows: number[][][] }
  const busy0 = (w: number[][]) => w.reduce((s, row) => s + row[0]!, 0)
  const first = single.windows.slice(0, 30).reduce((s, w) => s + busy0(w), 0)
  const second = single.windows.slice(30).reduce((s, w) => s + busy0(w), 0)
  t.ok(first > second, `core 0 busier while the target is (${first.toFixed(1)} > ${second.toFixed(1)})`)

  const replay = await replayUntilDone(app, 'gen-diffusion')
  t.equal(replay.state, 'completed', replay.reason ?? '')
  t.equal(replay.windowsDone, 60)

  // The JSON trace form, with a missing value, gives the same shape.
  const fromJson = await app.request('/v1/generate', jsonReq('POST', {
    trace: { columns: ['time_s', 'cpu_util_0', 'cpu_util_1'], rows: [[1, 50, 0], [2, null, 0], [3, 60, 10]] }, method: 'search',
  }))
  t.equal(fromJson.status, 201)
  t.match(await fromJson.json(), { id: /^g-/, windows: 30, source: 'generated from trace uploaded by method search' })
})

t.test('stopping a collection job stops its stressors; restarting it resumes the dataset', async (t) => {
  const daemon = await startDaemon(t, { workerPriority: 'normal' })
  const { app } = daemon
  const job = await (await app.request('/v1/generator/jobs', jsonReq('POST', { name: 'resume', windows: 400, windowMs: 100, strategy: 'random' }))).json() as Job
  for (;;) {
    const j = await (await app.request(`/v1/generator/jobs/${job.id}`)).json() as Job
    if (j.windowsDone >= 3) break
    await new Promise((r) => setTimeout(r, 50))
  }
  const stopped = await app.request(`/v1/generator/jobs/${job.id}`, { method: 'DELETE' })
  t.equal(stopped.status, 200)
  const rec = await stopped.json() as Job
  t.match(rec, { state: 'stopped', reason: /stopped by request/ })
  t.ok(rec.windowsDone >= 3 && rec.windowsDone < 400)
  t.equal((await app.request(`/v1/generator/jobs/${job.id}`, { method: 'DELETE' })).status, 409, 'stopping it again')
  const kept = openDataset(rec.dir).samples.length
  t.ok(kept >= rec.windowsDone, `the dataset keeps what was collected (${kept})`)

  // The device is free again; a new job under the same name resumes from what is there.
  const again = await (await app.request('/v1/generator/jobs', jsonReq('POST', { name: 'resume', windows: kept + 4, windowMs: 100, strategy: 'random' }))).json() as Job
  for (;;) {
    const j = await (await app.request(`/v1/generator/jobs/${again.id}`)).json() as Job
    if (j.state !== 'running') { t.match(j, { state: 'completed', windowsDone: kept + 4 }); break }
    await new Promise((r) => setTimeout(r, 50))
  }
  const replay = await app.request('/v1/replays', jsonReq('POST', { composition: tinyComposition() }))
  t.equal(replay.status, 202, 'a replay starts once the job ended')
})

t.test('ctl jobs start/list/status and ctl generate --replay against a real daemon', async (t) => {
  const daemon = await startDaemon(t, { workerPriority: 'normal' })
  const { url } = await daemon.listen()
  const u = ['--url', url]
  const started = await ctl('jobs', 'start', '--name', 'cli', '--windows', '12', '--window-ms', '100', '--strategy', 'random', '--one-kind-per-thread', ...u)
  t.equal(started.code, 0)
  t.match(started.out, /job\s+j-\S+\n[\s\S]*state\s+completed\n[\s\S]*windows\s+12\/12 x 100 ms, random/)
  t.match((await ctl('jobs', 'list', ...u)).out, /^ID\s+DATASET\s+STATE[\s\S]*cli\s+completed\s+12\/12 x 100 ms/)
  const status = JSON.parse((await ctl('jobs', 'status', '--json', ...u)).out) as { state: string; dir: string }
  t.equal(status.state, 'completed', 'status without an id: the latest job')
  await t.rejects(ctl('jobs', 'stop', ...u), /no collection job is running/)
  await t.rejects(ctl('jobs', 'start', ...u), /give --windows N/)

  const ds = openDataset(status.dir)
  t.equal(ds.meta.space.mixedThreads, false, '--one-kind-per-thread reaches the collection')
  const { meta, net } = train(ds.meta.space, ds.samples, { hidden: 16, layers: 2, steps: 10, iterations: 100, batch: 12, seed: 2 })
  meta.training.data = status.dir
  const modelDir = join(daemon.ctx.config().dataDir, 'model')
  saveModel(modelDir, meta, net, exportOnnx(meta.net, net))
  await daemon.reload({ ...daemon.ctx.config(), generator: { modelDir } })

  const file = join(daemon.ctx.config().dataDir, 'steps.csv')
  writeFileSync(file, TARGET)
  const gen = JSON.parse((await ctl('generate', '--trace', file, '--method', 'single', '--id', 'cli-single', '--json', ...u)).out) as { id: string; source: string }
  t.match(gen, { id: 'cli-single', source: 'generated from trace steps by method single' })
  const played = await ctl('generate', '--trace', file, '--method', 'search', '--replay', ...u)
  t.equal(played.code, 0)
  t.match(played.out, /state\s+completed[\s\S]*windows\s+60\/60 x 100 ms/, 'generated, stored and replayed to the end')
  await t.rejects(ctl('generate', '--trace', join(daemon.ctx.config().dataDir, 'none.csv'), ...u), /cannot read .*none\.csv/)
})
