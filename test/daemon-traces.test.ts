import t from 'tap'
import { parseTraceCsv, traceFromJson } from '../telemetry/index.js'
import type { TraceMeta } from '../daemon/index.js'
import { jsonReq, startDaemon } from './helpers/daemon-fixture.js'

t.test('trace recordings: start, stop on their own after durationS, list, download CSV and JSON', async (t) => {
  const { app } = await startDaemon(t)
  const res = await app.request('/v1/traces', jsonReq('POST', { name: 'idle check', periodS: 0.1, durationS: 0.6 }))
  t.equal(res.status, 201)
  const meta = await res.json() as TraceMeta
  t.match(meta, { state: 'recording', periodS: 0.1, rows: 0, name: 'idle check' })
  t.ok(meta.columns.includes('cpu_util_0') && meta.columns.includes('disk_write_bytes_per_s'))
  let done: TraceMeta
  for (;;) {
    done = await (await app.request(`/v1/traces/${meta.id}`)).json() as TraceMeta
    if (done.state === 'completed') break
    await new Promise((r) => setTimeout(r, 50))
  }
  t.ok(done.rows >= 3, `${done.rows} rows in 0.6 s at 0.1 s`)
  t.match(await (await app.request('/v1/traces')).json(), [{ id: meta.id, state: 'completed' }])

  const csvRes = await app.request(`/v1/traces/${meta.id}/data`)
  t.match(csvRes.headers.get('content-type'), /text\/csv/)
  t.match(csvRes.headers.get('content-disposition'), /filename="idle_check-t-.*\.csv"/)
  const trace = parseTraceCsv(await csvRes.text())
  t.same(trace.columns, meta.columns)
  t.equal(trace.rows.length, done.rows)
  t.ok(trace.rows.every((r, i) => i === 0 || r[0]! > trace.rows[i - 1]![0]!), 'time increases')
  const json = traceFromJson(await (await app.request(`/v1/traces/${meta.id}/data?format=json`)).json())
  t.same(json.rows, trace.rows)
  t.equal(json.meta?.periodS, 0.1, 'the sidecar travels with the JSON form')

  const plot = await app.request(`/v1/traces/${meta.id}/plot`)
  t.equal(plot.status, 200)
  t.match(await plot.text(), /CPU core 0 utilisation/)
  t.equal((await app.request(`/v1/traces/${meta.id}/stop`, { method: 'POST' })).status, 409, 'already stopped')
  t.equal((await app.request(`/v1/traces/${meta.id}/data?format=xml`)).status, 400)
  t.equal((await app.request('/v1/traces/t-nope')).status, 404)
  t.equal((await app.request('/v1/traces', jsonReq('POST', { periodS: 0.01 }))).status, 400)
})

t.test('a recording stopped by request keeps its rows; shutdown stops the rest', async (t) => {
  const d = await startDaemon(t)
  const a = await (await d.app.request('/v1/traces', jsonReq('POST', { periodS: 0.1 }))).json() as TraceMeta
  const b = await (await d.app.request('/v1/traces', jsonReq('POST', { periodS: 0.1 }))).json() as TraceMeta
  const early = await d.app.request(`/v1/traces/${b.id}/plot`)
  t.equal(early.status, 409, 'no chart before the first row')
  await new Promise((r) => setTimeout(r, 350))
  const stopped = await (await d.app.request(`/v1/traces/${a.id}/stop`, { method: 'POST' })).json() as TraceMeta
  t.equal(stopped.state, 'completed')
  t.ok(stopped.rows >= 1)
  await d.ctx.traces.stopAll()
  t.equal((await d.ctx.traces.get(b.id)).state, 'completed')
})
