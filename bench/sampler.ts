/**
 * Sampler overhead and DTW speed: `node dist/bench/sampler.js [--seconds 10] [--json]`.
 * Each configuration runs in a fresh node process that does nothing else (after a one-second
 * warm-up). Overhead, as a share of one core, is measured two ways: the CPU time spent inside
 * sample() over wall time (`sampler_pct`), and the process's CPU time minus that of an idle
 * process over the same wall time (`process_pct`: timers and GC included, noisier). The
 * headline is the larger. CPU time, not wall time, so other load on a
 * shared machine does not count against the sampler. Targets (issue 3): ≤ 0.5 % of a core at
 * 1 s, ≤ 2 % at 100 ms. DTW: the typed two-row DP against a textbook full-matrix DP in this
 * process, T = 3,600 (target < 1 s).
 * @module
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { progressBar } from '../common/progress.js'
import { deviceFingerprint, dtw, Sampler } from '../telemetry/index.js'

const { values: o } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' }, json: { type: 'boolean', default: false },
    // internal: one measurement in a fresh process, printed as JSON
    child: { type: 'string' },
  },
})
const SECONDS = Number(o.seconds)

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * One measurement in this (fresh) process: `idle`, or a sampler at `<period>` or
 * `<period>+probe`. A one-second warm-up runs first so JIT and start-up garbage are not billed.
 */
async function child(spec: string): Promise<void> {
  const [period, probeFlag] = spec.split('+')
  const sampler = spec === 'idle' ? null : new Sampler({ periodMs: Number(period), probe: probeFlag === 'probe', fingerprint: await deviceFingerprint() })
  sampler?.calibrate()
  sampler?.start()
  await sleep(1000)
  const c0 = cpuMs()
  const in0 = sampler?.cpuSeconds ?? 0
  const w0 = performance.now()
  await sleep(SECONDS * 1000)
  const cpu = cpuMs() - c0
  const wall = performance.now() - w0
  const inSample = ((sampler?.cpuSeconds ?? 0) - in0) * 1000
  const rows = sampler ? sampler.stop().rows.length : 0
  process.stdout.write(JSON.stringify({ cpu, wall, inSample, rows }) + '\n')
}

if (o.child) {
  await child(o.child)
  process.exit(0)
}

/** Runs one measurement in a fresh node process (same loader flags as this one). */
function measure(spec: string): { cpu: number; wall: number; inSample: number; rows: number } {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', spec, '--seconds', String(SECONDS)], { encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').at(-1)!)
}

interface Row {
  period_ms: number; probe: boolean; rows: number; sampler_cpu_ms: number; process_cpu_ms: number; wall_s: number
  sampler_pct: number; process_pct: number; overhead_pct: number; target_pct: number
}

const configs = [
  { periodMs: 1000, probe: false }, { periodMs: 1000, probe: true },
  { periodMs: 100, probe: false }, { periodMs: 100, probe: true },
]
const bar = progressBar('sampler bench', configs.length + 1, !o.json)
const idle = measure('idle')
bar.update(1, 'idle reference')
const idleRate = idle.cpu / idle.wall
const rows: Row[] = []
for (const [i, { periodMs, probe }] of configs.entries()) {
  const m = measure(`${periodMs}${probe ? '+probe' : ''}`)
  const extra = Math.max(0, m.cpu - idleRate * m.wall)
  const pct = (ms: number) => Math.round((1e4 * ms) / m.wall) / 100
  rows.push({
    period_ms: periodMs, probe, rows: m.rows, sampler_cpu_ms: Math.round(m.inSample * 10) / 10,
    process_cpu_ms: Math.round(extra * 10) / 10, wall_s: Math.round(m.wall) / 1000,
    sampler_pct: pct(m.inSample), process_pct: pct(extra),
    // The larger of the two: in-sample CPU misses timer wake-ups, the process delta is noisier.
    overhead_pct: Math.max(pct(m.inSample), pct(extra)), target_pct: periodMs >= 1000 ? 0.5 : 2,
  })
  bar.update(i + 2, `${periodMs} ms${probe ? ' + probe' : ''}`)
}
bar.stop()

/** The textbook O(n·m)-memory DTW the two-row version replaces. */
function fullMatrixDtw(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const D: number[][] = Array.from({ length: x.length }, () => new Array<number>(y.length).fill(Infinity))
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < y.length; j++) {
      const prev = i === 0 && j === 0 ? 0 : Math.min(i > 0 ? D[i - 1]![j]! : Infinity, j > 0 ? D[i]![j - 1]! : Infinity, i > 0 && j > 0 ? D[i - 1]![j - 1]! : Infinity)
      D[i]![j] = Math.abs(x[i]! - y[j]!) + prev
    }
  }
  return D[x.length - 1]![y.length - 1]!
}
const T = 3600
const x = Float64Array.from({ length: T }, (_, i) => 50 + 40 * Math.sin(i / 60) + ((i * 7919) % 13))
const y = Float64Array.from({ length: T }, (_, i) => 50 + 40 * Math.sin((i + 30) / 60) + ((i * 104729) % 11))
const timeIt = (fn: () => number) => { dtw(x.subarray(0, 200), y.subarray(0, 200)); const c0 = cpuMs(); const v = fn(); return { v, ms: cpuMs() - c0 } }
const ref = timeIt(() => fullMatrixDtw(x, y))
const exact = timeIt(() => dtw(x, y))
const banded = timeIt(() => dtw(x, y, 60))
const dtwRows = [
  { variant: 'full-matrix reference', cpu_ms: Math.round(ref.ms), value: ref.v },
  { variant: 'two-row exact', cpu_ms: Math.round(exact.ms), value: exact.v, speedup: Math.round((10 * ref.ms) / exact.ms) / 10 },
  { variant: 'two-row band 60', cpu_ms: Math.round(banded.ms * 10) / 10, value: banded.v, speedup: Math.round((10 * ref.ms) / banded.ms) / 10 },
]
if (exact.v !== ref.v) throw new Error(`DTW mismatch: ${exact.v} vs reference ${ref.v}`)

if (o.json) {
  process.stdout.write(JSON.stringify({ sampler: rows, dtw: dtwRows, idle_cpu_pct: Math.round(1e4 * idleRate) / 100 }) + '\n')
} else {
  console.log(`sampler overhead (${SECONDS} s per row; idle process reference ${(100 * idleRate).toFixed(3)} % of a core)`)
  console.table(rows)
  console.log(`DTW, T = ${T} per series (CPU time)`)
  console.table(dtwRows)
}
