/**
 * Which thread-priority mechanism keeps an HTTP API responsive while stressor workers hold
 * every core: `node dist/bench/native-priority.js [--workers N] [--duration S] [--rate R] [--json]`.
 * A hono server on 127.0.0.1 answers GET /v1/health while N worker threads spin at full speed,
 * each at normal priority, nice 19, or SCHED_IDLE (optionally pinned), or at nice 0 while the
 * API thread is raised to nice -10 ('raised', needs root or CAP_SYS_NICE, as systemd's Nice=
 * gives a service). A paced client in its own process sends one request every 1000/R ms on a
 * keep-alive connection and reports latency percentiles ('baseline' modes: no workers).
 * Not autocannon: its -R sends each second's quota back to back and then idles, so its
 * percentiles measure bursts, not a steady API load. Modes are
 * interleaved over rounds and the round with the median p99 is reported, as the machine is shared.
 * @module
 */
import { execFile } from 'node:child_process'
import { availableParallelism, setPriority } from 'node:os'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { progressBar } from '../common/progress.js'
import { startWorker } from '../common/worker-url.js'
import { nativeFeatures } from '../native/index.js'

const { values: o } = parseArgs({
  options: {
    workers: { type: 'string', default: String(availableParallelism()) }, duration: { type: 'string', default: '5' },
    rate: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' }, modes: { type: 'string', default: 'baseline,none,nice,idle,pin+nice,pin+idle,baseline-raised,raised' },
    json: { type: 'boolean', default: false },
  },
})
const workers = Number(o.workers)
const modes = o.modes!.split(',')

/** The paced client: plain JS run with `node -e`, so the measuring process carries no loader. */
const CLIENT = `
  import http from 'node:http'
  const [url, rate, seconds] = process.argv.slice(1)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const get = () => new Promise((res, rej) => http.get(url, { agent }, (r) => { r.resume(); r.on('end', () => res(r.statusCode)) }).on('error', rej))
  const lat = []
  let errors = 0
  const t0 = performance.now()
  for (let i = 0; i < rate * seconds; i++) {
    const due = t0 + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const s = performance.now()
    if ((await get().catch(() => 0)) !== 200) errors++
    lat.push(performance.now() - s)
  }
  agent.destroy()
  lat.sort((a, b) => a - b)
  const q = (p) => +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2)
  console.log(JSON.stringify({ p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1), requests: lat.length, errors }))`

const app = new Hono().get('/v1/health', (c) => c.json({ ok: true, time: Date.now() }))
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 })
await new Promise((r) => server.once('listening', r))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/health`

async function spin(mode: string): Promise<() => Promise<void>> {
  if (mode.startsWith('baseline')) return async () => {}
  const stop = new SharedArrayBuffer(4)
  const ws = Array.from({ length: workers }, (_, i) => startWorker(import.meta.url, 'native-spin-worker', { workerData: { mode, cpu: i % availableParallelism(), stop } }))
  await Promise.all(ws.map((w) => new Promise((r, j) => { w.once('message', r); w.once('error', j) })))
  return async () => {
    Atomics.store(new Int32Array(stop), 0, 1)
    await Promise.all(ws.map((w) => w.terminate()))
  }
}

async function measure(mode: string) {
  // On Linux setPriority(0, n) sets the calling thread only: the API thread (and the client
  // process forked from it) go up, workers start from there and step down to 0.
  if (mode.includes('raised')) setPriority(0, -10)
  const stop = await spin(mode)
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CLIENT, url, o.rate!, o.duration!])
    const r = JSON.parse(stdout)
    return { mode, p50Ms: r.p50, p90Ms: r.p90, p99Ms: r.p99, maxMs: r.max, requests: r.requests, errors: r.errors }
  } finally {
    await stop()
    if (mode.includes('raised')) setPriority(0, 0)
  }
}

const rounds = Number(o.rounds)
const bar = progressBar('priority bench', rounds * modes.length, !o.json)
const runs: Awaited<ReturnType<typeof measure>>[][] = modes.map(() => [])
for (let r = 0; r < rounds; r++) {
  for (const [i, m] of modes.entries()) {
    runs[i].push(await measure(m))
    bar.update(r * modes.length + i + 1, m)
  }
}
bar.stop()
const rows = runs.map((xs) => [...xs].sort((a, b) => a.p99Ms - b.p99Ms)[Math.floor(xs.length / 2)])
server.close()
if (o.json) {
  console.log(JSON.stringify({ workers, rate: Number(o.rate), durationS: Number(o.duration), rounds, addon: nativeFeatures().addon, rows }))
} else {
  console.log(`${workers} spinning workers, ${o.rate} req/s for ${o.duration} s per mode, median-p99 round of ${rounds}, addon ${nativeFeatures().addon}`)
  console.log('| workers at | p50 ms | p90 ms | p99 ms | max ms | requests | errors |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const r of rows) console.log(`| ${r.mode} | ${r.p50Ms} | ${r.p90Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.requests} | ${r.errors} |`)
}
