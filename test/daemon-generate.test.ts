// The generator's daemon API without running stressors: validation (400 with the field), missing
// or broken model (409), auth scopes, unknown jobs (404), the OpenAPI document, config overrides.
import t from 'tap'
import { loadConfig } from '../common/config.js'
import { createDaemon, generateToken, type JobRecord } from '../daemon/index.js'
import { jsonReq, startDaemon, tempConfig } from './helpers/daemon-fixture.js'

const CSV = 'time_s,cpu_util_0,cpu_util_1,disk_read_bytes_per_s,disk_write_bytes_per_s\n1,50,0,0,0\n2,60,0,0,0\n'
const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message

t.test('POST /v1/generate refuses bad bodies with the field, and a missing or broken model with a 409', async (t) => {
  const { app } = await startDaemon(t, { generator: { modelDir: '/nonexistent/edgemime-model' } })
  const post = (body: unknown) => app.request('/v1/generate', jsonReq('POST', body))
  let res = await post({ method: 'single' })
  t.equal(res.status, 400)
  t.match(await message(res), /give exactly one of trace, traceId/)
  res = await post({ trace: CSV, traceId: 't-1' })
  t.equal(res.status, 400, 'both trace and traceId')
  res = await post({ trace: CSV, method: 'magic' })
  t.equal(res.status, 400)
  t.match(await message(res), /^json\.method: /)
  res = await post({ trace: CSV, id: 'Bad Id' })
  t.match(await message(res), /^json\.id: lowercase letters/)
  res = await post({ trace: { columns: ['time_s'], rows: [['x']] } })
  t.equal(res.status, 400, 'JSON trace with a non-number cell')
  res = await post({ trace: CSV, extra: 1 })
  t.equal(res.status, 400, 'unknown fields are refused')
  res = await post({ traceId: 't-none' })
  t.equal(res.status, 404)
  t.match(await message(res), /no trace 't-none'/)

  res = await post({ trace: CSV, method: 'search' })
  t.equal(res.status, 409)
  t.match(await message(res), /the configured generator model cannot be used: no generator model in \/nonexistent\/edgemime-model/)
})

t.test('collection jobs: validation, 404 for unknown ids, the current job, scopes', async (t) => {
  const reader = generateToken('reader', ['read'])
  const op = generateToken('op', ['replay'])
  const { app } = await startDaemon(t, { tokens: [reader.entry, op.entry] })
  const as = (tok: string) => ({ authorization: `Bearer ${tok}` })
  let res = await app.request('/v1/generator/jobs', jsonReq('POST', { windows: 0 }, as(op.token)))
  t.equal(res.status, 400)
  t.match(await message(res), /^json\.windows: /)
  res = await app.request('/v1/generator/jobs', jsonReq('POST', { windows: 10, strategy: 'greedy' }, as(op.token)))
  t.match(await message(res), /^json\.strategy: /)
  res = await app.request('/v1/generator/jobs', jsonReq('POST', { windows: 10, name: '../escape' }, as(op.token)))
  t.equal(res.status, 400, 'a dataset name cannot leave generator.dataDir')
  res = await app.request('/v1/generator/jobs', jsonReq('POST', { windows: 10 }, as(reader.token)))
  t.equal(res.status, 403, 'starting a job needs the replay scope')
  res = await app.request('/v1/generate', jsonReq('POST', { trace: CSV }, as(reader.token)))
  t.equal(res.status, 403, 'generating needs the replay scope')
  t.equal((await app.request('/v1/generator/jobs')).status, 401)
  t.same(await (await app.request('/v1/generator/jobs', { headers: as(reader.token) })).json(), [])
  t.same(await (await app.request('/v1/generator/jobs/current', { headers: as(reader.token) })).json(), { current: null })
  res = await app.request('/v1/generator/jobs/j-none', { headers: as(reader.token) })
  t.equal(res.status, 404)
  t.match(await message(res), /no generator job 'j-none'/)
  t.equal((await app.request('/v1/generator/jobs/j-none', { method: 'DELETE', headers: as(op.token) })).status, 404)
  t.equal((await app.request('/v1/generator/jobs/j-none/events', { headers: as(reader.token) })).status, 404)
})

t.test('the OpenAPI document lists the generator routes; config takes generator dirs from the environment', async (t) => {
  const { app } = await startDaemon(t)
  const doc = await (await app.request('/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }
  t.ok(doc.paths['/v1/generate']?.post)
  t.ok(doc.paths['/v1/generator/jobs']?.post && doc.paths['/v1/generator/jobs']?.get)
  t.ok(doc.paths['/v1/generator/jobs/{id}']?.get && doc.paths['/v1/generator/jobs/{id}']?.delete)
  t.ok(doc.paths['/v1/generator/jobs/{id}/events']?.get)
  t.ok(doc.components.schemas.Generate && doc.components.schemas.GeneratorJob && doc.components.schemas.TraceJson)

  const c = loadConfig(undefined, { EDGEMIME_GENERATOR_MODEL_DIR: '/m', EDGEMIME_GENERATOR_DATA_DIR: '/d' })
  t.same(c.generator, { modelDir: '/m', dataDir: '/d' })
  t.same(loadConfig(undefined, {}).generator, {}, 'absent by default')
})

t.test('a job a crash left running is marked interrupted when the daemon opens its store again', async (t) => {
  const config = tempConfig({}, t)
  const first = await createDaemon({ config, log: () => {} })
  const running: JobRecord = {
    id: 'j-crashed', kind: 'collect', name: 'x', dir: '/tmp/x', state: 'running', strategy: 'random', windowMs: 100, windows: 10, windowsDone: 4, createdAt: Date.now(),
  }
  await first.ctx.store.db.sublevel<string, JobRecord>('generator-jobs', { valueEncoding: 'json' }).put(running.id, running)
  await first.close()
  const second = await createDaemon({ config, log: () => {} })
  t.teardown(() => second.close())
  t.match(await (await second.app.request('/v1/generator/jobs/j-crashed')).json(), { state: 'interrupted', windowsDone: 4, reason: /resume the dataset/ })
})
