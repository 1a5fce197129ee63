/**
 * Which thread-priority mechanism keeps an HTTP API responsive while stressor workers hold
 * every core: `node dist/bench/native-priority.js [--workers N] [--duration S] [--rate R] [--json]`.
 * A hono server on 127.0.0.1 answers GET /v1/health while N worker threads spin at full speed,
 * each at normal priority, nice 19, or SCHED_IDLE (optionally pinned), or at nice 0 while the
 * API thread is raised to nice -10 ('raised', needs root or CAP_SYS_NICE, as systemd's Nice=
 * gives a service); autocannon, in its own process, sends R requests/s and reports the latency
 * percentiles ('baseline' modes: no workers). Modes are
 * interleaved over rounds and the round with the median p99 is reported, as the machine is shared.
 * @module
 */
import { execFile } from 'node:child_process'
import { availableParallelism, setPriority } from 'node:os'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { progressBar } from '../common/progress.js'
import { startWorker } from '../common/worker-url.js'
import { nativeFeatures } from '../native/index.js'

const { values: o } = parseArgs({
  options: {
    workers: { type: 'string', default: String(availableParallelism()) }, duration: { type: 'string', default: '5' },
    rate: { type: 'string', default: '500' }, rounds: { type: 'string', default: '3' }, modes: { type: 'string', default: 'baseline,none,nice,idle,pin+nice,pin+idle,baseline-raised,raised' },
    json: { type: 'boolean', default: false },
  },
})
const workers = Number(o.workers)
const modes = o.modes!.split(',')
const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js')

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
  // On Linux setPriority(0, n) sets the calling thread only: the API thread (and the autocannon
  // process forked from it) go up, workers start from there and step down to 0.
  if (mode.includes('raised')) setPriority(0, -10)
  const stop = await spin(mode)
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [autocannon, '-j', '-c', '8', '-R', o.rate!, '-d', o.duration!, url])
    const r = JSON.parse(stdout)
    return { mode, p50Ms: r.latency.p50, p90Ms: r.latency.p90, p99Ms: r.latency.p99, maxMs: r.latency.max, requests: r.requests.total, errors: r.errors + r.non2xx }
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
