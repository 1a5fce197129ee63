/**
 * How the chunk length of the deadline loop (pacing.ts runUntil) trades deadline accuracy for
 * throughput: `node dist/bench/stressors-chunk.js [--slices 300] [--slice-ms 2] [--json]`.
 * For each kernel and chunk length it runs many short slices and reports the median landing error
 * (|end − deadline|; the median is robust to the slices a busy machine preempts) and the work done
 * relative to the longest chunk (the cost of reading the clock more often).
 * @module
 */
import { parseArgs } from 'node:util'
import { monoMs } from '../stressors-wasm/clock.js'
import { makeDriver, prefault } from '../stressors-wasm/drivers.js'
import { workerStressor } from '../stressors-wasm/footprint.js'
import { calibrate, runUntil } from '../stressors-wasm/pacing.js'
import { stressorCatalog } from '../stressors-wasm/index.js'
import { instantiateKernels } from '../stressors-wasm/wasm-kernels.js'

const { values: o } = parseArgs({ options: { slices: { type: 'string', default: '300' }, 'slice-ms': { type: 'string', default: '2' }, json: { type: 'boolean', default: false } } })
const SLICES = Number(o.slices)
const SLICE_MS = Number(o['slice-ms'])
const CHUNKS_US = [5, 10, 30, 100, 300]
const ctrl = new Int32Array(new SharedArrayBuffer(8))
const rows: { stressor: string, chunkUs: number, medianLandingUs: number, relativeWork: number }[] = []
for (const spec of stressorCatalog().filter((s) => ['cpu-crc32c', 'cache-memcpy-l2', 'mem-stream', 'mem-chase'].includes(s.name))) {
  const params = Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, Math.min(p.default, 64 << 20)]))
  const k = instantiateKernels(spec.workingSetBytes(params))
  if (spec.kernel !== 'chase') prefault(k, 0, spec.workingSetBytes(params), 1)
  const d = calibrate(makeDriver(k, workerStressor(0, spec, params, 0)), 30)
  const work: number[] = []
  for (const us of CHUNKS_US) {
    const errs: number[] = []
    let units = 0
    for (let i = 0; i < SLICES; i++) {
      const deadline = monoMs() + SLICE_MS
      units += runUntil(d, deadline, ctrl, us / 1000).units
      errs.push(Math.abs(monoMs() - deadline) * 1000)
    }
    errs.sort((a, b) => a - b)
    work.push(units)
    rows.push({ stressor: spec.name, chunkUs: us, medianLandingUs: errs[errs.length >> 1]!, relativeWork: 0 })
  }
  const mine = rows.slice(-CHUNKS_US.length)
  mine.forEach((r, i) => { r.relativeWork = work[i]! / work.at(-1)! })
}
if (o.json) process.stdout.write(JSON.stringify(rows) + '\n')
else for (const r of rows) process.stdout.write(`${r.stressor.padEnd(16)} chunk ${String(r.chunkUs).padStart(4)} µs  median landing error ${r.medianLandingUs.toFixed(1).padStart(7)} µs  work ${r.relativeWork.toFixed(3)}\n`)
