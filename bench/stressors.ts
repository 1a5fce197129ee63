/**
 * Stressor kernels against the same kernels in C (bench/c/kernels.c, gcc -O2), and the disk
 * stressors against dd with O_DIRECT:
 * `node dist/bench/stressors.js [--ms 400] [--rounds 3] [--only a,b] [--disk-dir DIR] [--no-disk] [--json]`.
 * WebAssembly runs in this process, C in a child process, one after the other, best of
 * `rounds` each. Compute kernels count work per CPU-second on both sides (process CPU time), so
 * that time the thread spends preempted by other load on the machine does not count against
 * either; disk stressors count wall time, as dd does.
 * @module
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadConfig } from '../common/config.js'
import { progressBar } from '../common/progress.js'
import { makeDriver, prefault } from '../stressors-wasm/drivers.js'
import { workerStressor } from '../stressors-wasm/footprint.js'
import { stressorCatalog, type StressorSpec } from '../stressors-wasm/index.js'
import { instantiateKernels, type KernelInstance } from '../stressors-wasm/wasm-kernels.js'
import { benchDisk } from './stressors-disk.js'

const { values: o } = parseArgs({
  options: {
    ms: { type: 'string', default: '400' }, rounds: { type: 'string', default: '3' }, only: { type: 'string' },
    'disk-dir': { type: 'string' }, 'no-disk': { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
  },
})
const MS = Number(o.ms)
const ROUNDS = Number(o.rounds)

/** Throughput unit and scale (ops per second → unit) of each kernel. */
const UNITS: Record<string, [string, number]> = {
  'crc32c': ['MB/s hashed', 1e6], 'fp-distance': ['M distances/s', 1e6], 'memcpy': ['MB/s copied', 1e6], 'stream': ['MB/s copied', 1e6],
  'memcmp': ['MB/s compared', 1e6], 'memset': ['MB/s written', 1e6], 'chase': ['M loads/s', 1e6], 'hashset': ['M inserts/s', 1e6],
}

function compileC(): string {
  const src = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../bench/c/kernels.c' : './c/kernels.c', import.meta.url))
  const out = join(mkdtempSync(join(tmpdir(), 'edgemime-bench-')), 'kernels')
  const r = spawnSync('gcc', ['-O2', '-o', out, src], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`gcc failed: ${r.stderr}`)
  return out
}

function runC(bin: string, kernel: string, size: number): number {
  const r = spawnSync(bin, [kernel, String(size), String(MS)], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`C kernel ${kernel} failed: ${r.stderr}`)
  const { ops, seconds } = JSON.parse(r.stdout) as { ops: number, seconds: number }
  return ops / seconds
}

/** CPU time of this process in ms: the machine may be shared, and both sides count CPU seconds. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Ops per CPU-second of the wasm kernel: a 10% warm-up, then chunks of about 1 ms for MS ms. */
function runWasm(k: KernelInstance, spec: StressorSpec, params: Record<string, number>): number {
  const d = makeDriver(k, workerStressor(0, spec, params, 0))
  let units = 1
  let ops = 0
  let t0 = 0
  for (const phase of [0, 1]) {
    t0 = cpuMs()
    const stop = t0 + (phase ? MS : MS / 10)
    ops = 0
    while (cpuMs() < stop) {
      d.run(units)
      ops += units * d.opsPerUnit
      if (phase === 0 && cpuMs() - t0 < 0.25) units *= 2
    }
  }
  return ops / ((cpuMs() - t0) / 1e3)
}

const sizeArg = (spec: StressorSpec, p: Record<string, number>) => (spec.kernel === 'hashset' ? p.entries! : p.bufferBytes!)

const catalog = stressorCatalog()
const only = o.only?.split(',')
const compute = catalog.filter((s) => !['disk', 'idle'].includes(s.family) && (!only || only.includes(s.name)))
const disk = o['no-disk'] ? [] : catalog.filter((s) => s.family === 'disk' && !s.name.includes('-p') && (!only || only.includes(s.name)))
const rows: { stressor: string, wasm: number, reference: number, unit: string, ratio: number, note?: string }[] = []
const bar = progressBar('bench:stressors', compute.length + disk.length)
const bin = compileC()
for (const spec of compute) {
  const params = Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, p.default]))
  const bytes = spec.workingSetBytes(params)
  const k = instantiateKernels(bytes)
  if (spec.kernel !== 'fp-distance' && spec.kernel !== 'chase') prefault(k, 0, bytes, spec.kernel === 'hashset' ? 0 : 1)
  // The DRAM stream is held against the best of several C copy loops, as the target says.
  const refs = spec.kernel === 'stream' ? ['memcpy', 'copy64', 'copy128'] : [spec.kernel]
  let wasm = 0
  let reference = 0
  let best = refs[0]!
  for (let r = 0; r < ROUNDS; r++) {
    wasm = Math.max(wasm, runWasm(k, spec, params))
    for (const ref of refs) {
      const v = runC(bin, ref, sizeArg(spec, params))
      if (v > reference) { reference = v; best = ref }
    }
  }
  const [unit, scale] = UNITS[spec.kernel]!
  rows.push({ stressor: spec.name, wasm: wasm / scale, reference: reference / scale, unit, ratio: wasm / reference, ...(refs.length > 1 ? { note: `best C: ${best}` } : {}) })
  bar.update(rows.length, spec.name)
}
const diskDir = o['disk-dir'] ?? loadConfig().caps.diskDir
mkdirSync(diskDir, { recursive: true })
const tmp = mkdtempSync(join(diskDir, 'bench-'))
try {
  for (const spec of disk) {
    const { bypass, ...r } = benchDisk(spec, tmp, MS, ROUNDS)
    rows.push({ ...r, note: `bypass: ${bypass}` })
    bar.update(rows.length, spec.name)
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
  rmSync(join(bin, '..'), { recursive: true, force: true })
}
bar.stop()

if (o.json) {
  process.stdout.write(JSON.stringify(rows) + '\n')
} else {
  const w = Math.max(...rows.map((r) => r.stressor.length))
  process.stdout.write(`${'stressor'.padEnd(w)}  ${'wasm'.padStart(10)}  ${'C / dd'.padStart(10)}  ${'ratio'.padStart(6)}  unit\n`)
  for (const r of rows) {
    process.stdout.write(`${r.stressor.padEnd(w)}  ${r.wasm.toFixed(1).padStart(10)}  ${r.reference.toFixed(1).padStart(10)}  ${r.ratio.toFixed(3).padStart(6)}  ${r.unit}${r.note ? ` (${r.note})` : ''}\n`)
  }
}
