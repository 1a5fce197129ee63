/**
 * Daemon responsiveness and footprint: starts a real daemon process, measures its idle CPU and
 * RSS, then API latency (autocannon on loopback) on /v1/health and a replay status route, idle
 * and while a replay holds every core at 100%. Prints p50/p99 against the targets
 * (p99 <= 20 ms under full load; idle <= 0.5% of one core; RSS <= 120 MB).
 *
 *   npm run bench:daemon [-- --duration 5 --idle 10 --nice N --json]
 *
 * On a shared machine, `--nice=-10` (root) runs the client, the daemon and the reference above
 * unrelated background jobs, as on a quiet device; the stressor workers stay at SCHED_IDLE.
 * @module
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, setPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { DaemonClient } from '../cli/client.js'
import type { ReplayRecord } from '../daemon/index.js'

const TARGET_P99_MS = 20
const TARGET_IDLE_CPU_PCT = 0.5
const TARGET_RSS_MB = 120

const { values: opts } = parseArgs({ options: {
  duration: { type: 'string', default: '5' }, nice: { type: 'string' }, idle: { type: 'string', default: '10' }, json: { type: 'boolean', default: false },
} })
const say = (s: string) => process.stderr.write(`daemon-latency: ${s}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The daemon as users run it: compiled from dist/, or through tsx when this file is TypeScript. */
function startDaemon(configPath: string): Promise<{ pid: number; url: string; stop(): Promise<void> }> {
  const fromTs = import.meta.url.endsWith('.ts')
  const main = new URL(fromTs ? '../cli/main.ts' : '../cli/main.js', import.meta.url).pathname
  const child = spawn(process.execPath, [...(fromTs ? ['--import', 'tsx'] : []), main, 'daemon', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (b: Buffer) => {
      log += b.toString()
      const m = log.match(/listening on (http:\/\/\S+)/)
      if (m) resolve({ pid: child.pid!, url: m[1]!, stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM') }) })
    })
    child.once('exit', (code) => reject(new Error(`daemon exited (${code}):\n${log}`)))
  })
}

/**
 * The noise floor: a bare node:http server answering "ok", in its own process at normal
 * priority like the daemon. On a shared machine its p99 shows what other load costs any
 * process; the daemon is judged against the target and next to this reference.
 */
function startReference(): Promise<{ url: string; stop(): void }> {
  const code = "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })"
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve) => {
    child.stdout.once('data', (b: Buffer) => resolve({ url: `http://127.0.0.1:${Number(b.toString())}`, stop: () => child.kill() }))
  })
}

/** CPU seconds (user + system) of a process, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
}

function rssMb(pid: number): number {
  const kb = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1])
  return kb / 1024
}

/** Busy fraction of each core over `ms`, from /proc/stat. */
async function coreBusy(ms: number): Promise<number[]> {
  const read = () => readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l)).map((l) => {
    const v = l.split(/\s+/).slice(1).map(Number)
    const idle = v[3]! + v[4]!
    return { idle, total: v.reduce((a, b) => a + b, 0) }
  })
  const a = read()
  await sleep(ms)
  return read().map((b, k) => 1 - (b.idle - a[k]!.idle) / Math.max(1, b.total - a[k]!.total))
}

async function latency(url: string, seconds: number): Promise<{ p50: number; p99: number; max: number; requests: number; errors: number }> {
  // Each request's own latency: without coordinated-omission correction, one scheduler stall of the
  // shared machine would be counted once per 10 ms slot it covered.
  const r = await autocannon({ url, connections: 1, duration: seconds, overallRate: 100, ignoreCoordinatedOmission: true })
  return { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, requests: r.requests.total, errors: r.errors + r.non2xx }
}

// Children inherit the nice value of the thread that spawns them (this one).
if (opts.nice !== undefined) setPriority(Number(opts.nice))
const dir = mkdtempSync(join(tmpdir(), 'edgemime-bench-'))
const configPath = join(dir, 'config.json')
writeFileSync(configPath, JSON.stringify({ port: 0, dataDir: join(dir, 'data'), caps: { diskDir: join(dir, 'disk') } }))
const daemon = await startDaemon(configPath)
const reference = await startReference()
try {
  const client = new DaemonClient({ url: daemon.url })
  const seconds = Number(opts.duration)
  say(`daemon pid ${daemon.pid} at ${daemon.url}; settling 3 s, then measuring idle CPU for ${opts.idle} s`)
  await sleep(3000)
  const c0 = cpuSeconds(daemon.pid)
  const t0 = performance.now()
  await sleep(Number(opts.idle) * 1000)
  const idleCpuPct = (100 * (cpuSeconds(daemon.pid) - c0)) / ((performance.now() - t0) / 1000)
  const idleRssMb = rssMb(daemon.pid)

  say(`idle latency, ${seconds} s per route`)
  // The three targets are measured at the same time, so that they share the machine's noise.
  const [idleHealth, idleStatus, idleRef] = await Promise.all([
    latency(`${daemon.url}/v1/health`, seconds), latency(`${daemon.url}/v1/replays/current`, seconds), latency(reference.url, seconds),
  ])

  const cores = availableParallelism()
  const windows = Math.ceil(2 * seconds + 30)
  const composition = {
    version: 1, windowMs: 1000, threads: cores, stressors: [{ name: 'cpu-crc32c', params: {} }],
    windows: Array.from({ length: windows }, () => [Array.from({ length: cores }, () => 1)]), metadata: { source: 'bench' },
  }
  const rec = await client.json<ReplayRecord>('/v1/replays', { method: 'POST', body: { composition } })
  say(`replay ${rec.id}: every core (${cores}) at 100% for ${windows} s; waiting for the first window`)
  while ((await client.json<ReplayRecord>(`/v1/replays/${rec.id}`)).windowsDone < 1) await sleep(200)
  const busy = await coreBusy(1000)
  say(`cores busy: ${busy.map((b) => `${Math.round(100 * b)}%`).join(' ')}; latency under load`)
  const [loadHealth, loadStatus, loadRef] = await Promise.all([
    latency(`${daemon.url}/v1/health`, seconds), latency(`${daemon.url}/v1/replays/${rec.id}`, seconds), latency(reference.url, seconds),
  ])
  const loadRssMb = rssMb(daemon.pid)
  await client.json(`/v1/replays/${rec.id}/stop`, { method: 'POST' })
  const device = await client.json<{ native: { priority: { mode: string; reason: string } } }>('/v1/device')

  const rows = [
    { route: '/v1/health', idle: idleHealth, load: loadHealth },
    { route: '/v1/replays/{id} (status)', idle: idleStatus, load: loadStatus },
  ]
  const ref = { route: 'reference node:http server', idle: idleRef, load: loadRef }
  const result = {
    cores, nice: opts.nice === undefined ? 0 : Number(opts.nice), coreBusyUnderLoad: busy, priority: device.native.priority,
    idle: { cpuPercentOfOneCore: idleCpuPct, rssMb: idleRssMb }, underLoadRssMb: loadRssMb,
    latencyMs: rows.map((r) => ({ route: r.route, idle: r.idle, load: r.load, pass: r.load.p99 <= TARGET_P99_MS })),
    reference: ref,
    targets: { p99Ms: TARGET_P99_MS, idleCpuPercent: TARGET_IDLE_CPU_PCT, rssMb: TARGET_RSS_MB },
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  } else {
    const ok = (b: boolean) => (b ? 'ok' : 'OVER TARGET')
    const out = [
      `API latency (autocannon, 1 connection at 100 req/s per route, all routes at once, ${seconds} s; per-request latency in ms at 1 ms resolution; nice ${opts.nice ?? 0})`,
      `${'route'.padEnd(28)} ${'idle p50'.padStart(8)} ${'idle p99'.padStart(8)} ${'load p50'.padStart(8)} ${'load p99'.padStart(8)}  target p99 <= ${TARGET_P99_MS} ms`,
      ...rows.map((r) => `${r.route.padEnd(28)} ${String(r.idle.p50).padStart(8)} ${String(r.idle.p99).padStart(8)} ${String(r.load.p50).padStart(8)} ${String(r.load.p99).padStart(8)}  ${ok(r.load.p99 <= TARGET_P99_MS)}`),
      `${ref.route.padEnd(28)} ${String(ref.idle.p50).padStart(8)} ${String(ref.idle.p99).padStart(8)} ${String(ref.load.p50).padStart(8)} ${String(ref.load.p99).padStart(8)}  (noise floor of this machine)`,
      `under load: cores busy ${busy.map((b) => `${Math.round(100 * b)}%`).join(' ')}; worker priority: ${device.native.priority.mode} (${device.native.priority.reason})`,
      `idle daemon: ${idleCpuPct.toFixed(3)}% of one core (target <= ${TARGET_IDLE_CPU_PCT}%: ${ok(idleCpuPct <= TARGET_IDLE_CPU_PCT)}), RSS ${idleRssMb.toFixed(1)} MB (target <= ${TARGET_RSS_MB} MB: ${ok(idleRssMb <= TARGET_RSS_MB)}); RSS during the replay ${loadRssMb.toFixed(1)} MB`,
    ]
    process.stdout.write(`${out.join('\n')}\n`)
  }
} finally {
  reference.stop()
  await daemon.stop()
  rmSync(dir, { recursive: true, force: true })
}
