/**
 * Alignment methods compared on the forward model (no device time), in one process: the same
 * model aligned by DDPO with forward-model rewards (align.ts, `--reward forward`) and by reward
 * backpropagation (align-gradient.ts, `--reward gradient`) on one set of traces, then every
 * variant's single diffusion samples scored on another set (held out) and on the set it was
 * aligned on, as mean |f(a) − o| over metrics and windows (normalised units), several sampling
 * seeds each. best-of-8 and guided sampling of the unaligned model are the references: what
 * the forward model says is reachable. Replays on the device decide; this says which to replay.
 * Every --depth × --lr pair is a row; usage in USAGE below.
 * @module
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { align, forwardReplayer } from '../generator/align.js'
import { alignGradient } from '../generator/align-gradient.js'
import { generate, policyFor, targetRows, type GeneratorParts } from '../generator/generate.js'
import { loadModel } from '../generator/model.js'
import { netEps } from '../generator/onnx.js'
import { openParts } from '../generator/parts.js'
import { readTarget, targetFiles } from '../generator/target.js'
import type { Method, Target } from '../generator/types.js'

const USAGE = 'usage: tsx bench/generator-align.ts MODEL_DIR ALIGN_TRACES_DIR [HELD_OUT_TRACES_DIR] [--iterations N] [--depth K,K...] [--lr X,X...] [--seeds S] [--no-ddpo]\n'
const { positionals, values } = parseArgs({ allowPositionals: true, options: {
  iterations: { type: 'string', default: '200' }, depth: { type: 'string', default: '1' }, lr: { type: 'string', default: '1e-5' },
  seeds: { type: 'string', default: '3' }, 'no-ddpo': { type: 'boolean', default: false },
} })
const [modelDir, alignDir, heldDir = new URL('../../shared/data/traces', import.meta.url).pathname] = positionals
if (!modelDir || !alignDir) {
  process.stderr.write(USAGE)
  process.exit(2)
}
const iterations = Number(values.iterations)
const seeds = Number(values.seeds)
const parts = await openParts(modelDir)
const fwd = parts.forward
if (!fwd) { process.stderr.write(`${modelDir}: no forward model and no training dataset to fit one\n`); process.exit(2) }
const { meta } = parts
const read = (dir: string) => targetFiles(dir).map((f) => readTarget(join(dir, f), meta.space.metrics))
const aligned = read(alignDir)
const held = read(heldDir)

/** Mean |f(a) − o| of a method's windows over the targets, averaged over `seeds` sampling seeds. */
async function surrogate(p: GeneratorParts, method: Method, targets: Target[]): Promise<number> {
  let s = 0
  let n = 0
  for (let seed = 0; seed < seeds; seed++) {
    for (const t of targets) {
      const rows = targetRows(meta, t)
      const windows = await generate(p, policyFor(p, method), rows, 1, { seed: 1000 + seed })
      windows.forEach((a, i) => { s += fwd!.lossGrad(a, rows[i]!, undefined, true) / fwd!.metrics; n++ })
    }
  }
  return s / n
}

const rows: [string, number, number, number][] = []
async function variant(label: string, run: (net: ReturnType<typeof loadModel>['net']) => Promise<unknown>): Promise<void> {
  const { net } = loadModel(modelDir!)
  const t0 = performance.now()
  await run(net)
  const seconds = (performance.now() - t0) / 1000
  const p: GeneratorParts = { meta, eps: netEps(net), forward: fwd }
  rows.push([label, await surrogate(p, 'diffusion', aligned), await surrogate(p, 'diffusion', held), seconds])
  process.stderr.write(`${label}: done\n`)
}
try {
  await variant('unaligned', async () => {})
  if (!values['no-ddpo']) {
    await variant(`DDPO, forward rewards (${iterations} it, lr 3e-5)`, (net) =>
      align(forwardReplayer(meta.ranges, fwd), meta, net, aligned, { iterations, lr: 3e-5 }))
  }
  for (const depth of values.depth.split(',').map(Number)) {
    for (const lr of values.lr.split(',').map(Number)) {
      await variant(`reward backprop (${iterations} it, depth ${depth}, lr ${lr})`, (net) => alignGradient(meta, net, fwd, aligned, { iterations, depth, lr }))
    }
  }
  for (const method of ['diffusion', 'guided'] as const) {
    const p: GeneratorParts = { ...parts, candidates: 8 }
    rows.push([`unaligned, ${method === 'guided' ? 'guided (8 refined)' : 'best-of-8'} (reference)`, await surrogate(p, method, aligned), await surrogate(p, method, held), 0])
  }
} finally {
  await parts.release()
}
const base = rows[0]!
process.stdout.write(`| variant | aligned-on traces, mean \\|f(a) − o\\| | held out | held out vs unaligned | alignment s |\n|---|---|---|---|---|\n`)
for (const [label, a, h, s] of rows) process.stdout.write(`| ${label} | ${a.toFixed(4)} | ${h.toFixed(4)} | ${(h / base[2]).toFixed(2)}× | ${s.toFixed(0)} |\n`)
