/**
 * What guided sampling's and the closed loop's gains are made of, replayed on this device, in
 * one process with the variants alternating per trace (so load drifts hit all alike):
 * guided with 1 / 8 / 16 diffusion proposals, 8 random compositions refined the same way (no
 * diffusion), and the guided closed loop against the same chunked replays with the correction
 * clamped to nothing (limit 0). Mean normalised DTW per variant.
 * usage: tsx bench/generator-guided.ts MODEL_DIR [TRACES_DIR]
 * @module
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { closedLoop } from '../generator/closed-loop.js'
import { Device } from '../generator/device.js'
import { evalOne, score } from '../generator/evaluate.js'
import { policyFor, targetRows, type Policy } from '../generator/generate.js'
import { refineBest } from '../generator/guide.js'
import { openParts } from '../generator/parts.js'
import { randomComposition } from '../generator/space.js'
import { readTarget } from '../generator/target.js'

const [modelDir, traces = new URL('../../shared/data/traces', import.meta.url).pathname] = process.argv.slice(2)
if (!modelDir) { process.stderr.write('usage: tsx bench/generator-guided.ts MODEL_DIR [TRACES_DIR]\n'); process.exit(2) }
const parts = await openParts(modelDir)
const fwd = parts.forward
if (!fwd) { process.stderr.write(`${modelDir}: no forward model and no training dataset to fit one\n`); process.exit(2) }
const { space } = parts.meta
const device = await Device.open(space)
const random8: Policy = async (t, _s, rng) => refineBest(space, fwd, Array.from({ length: 8 }, () => randomComposition(space, rng)), t)
const open: [string, () => Policy][] = [
  ['guided, 1 proposal', () => policyFor({ ...parts, candidates: 1 }, 'guided')],
  ['guided, 8 proposals', () => policyFor({ ...parts, candidates: 8 }, 'guided')],
  ['guided, 16 proposals', () => policyFor({ ...parts, candidates: 16 }, 'guided')],
  ['8 random compositions refined', () => random8],
]
const loops: [string, number | undefined][] = [['guided chunked, no correction', 0], ['guided closed loop', undefined]]
const files = readdirSync(traces).filter((f) => f.endsWith('.csv')).sort()
const sum: Record<string, number> = {}
const add = (label: string, trace: string, mean: number) => {
  sum[label] = (sum[label] ?? 0) + mean / files.length
  process.stderr.write(`${trace} ${label}: ${mean.toFixed(4)}\n`)
}
try {
  for (const file of files) {
    const target = readTarget(join(traces, file), space.metrics)
    for (const [label, p] of open) add(label, target.name, (await evalOne(device, parts, target, p())).result.mean)
    for (const [label, limit] of loops) {
      const rec = await closedLoop(device, parts, policyFor(parts, 'guided'), targetRows(parts.meta, target), { forward: fwd, limit })
      add(label, target.name, score(parts, target, rec).mean)
    }
  }
} finally {
  await device.close()
  await parts.release()
}
process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, +v.toFixed(4)])), null, 2) + '\n')
