/**
 * Generation speed: 300 windows from a real trace with the diffusion method (25 steps, guidance),
 * ε from onnxruntime (what `edgemime generate` uses) vs from the in-process ml/ network, guided
 * sampling (8 proposals in one batch, each refined on the forward model), and the baselines,
 * all in one process (ratios are what to compare on a loaded machine).
 * usage: tsx bench/generator-speed.ts MODEL_DIR [TRACE.csv] [WINDOWS=300]
 * @module
 */
import { generate, GUIDED_CANDIDATES, policyFor, targetRows } from '../generator/generate.js'
import { netEps } from '../generator/onnx.js'
import { openParts } from '../generator/parts.js'
import { readTarget } from '../generator/target.js'

const [modelDir, trace = new URL('../../shared/data/traces/build-burst.csv', import.meta.url).pathname, n = '300'] = process.argv.slice(2)
if (!modelDir) { process.stderr.write('usage: tsx bench/generator-speed.ts MODEL_DIR [TRACE.csv] [WINDOWS]\n'); process.exit(2) }
const parts = await openParts(modelDir)
const base = targetRows(parts.meta, readTarget(trace, parts.meta.space.metrics))
const rows = Array.from({ length: Number(n) }, (_, i) => base[i % base.length]!)
const time = async (label: string, run: () => Promise<unknown>) => {
  const t0 = performance.now()
  await run()
  return { label, seconds: (performance.now() - t0) / 1000 }
}
const results = [
  await time('diffusion (onnxruntime)', () => generate(parts, policyFor(parts, 'diffusion'), rows, 1)),
  ...(parts.forward ? [await time(`guided (onnxruntime, ${GUIDED_CANDIDATES} proposals)`, () => generate(parts, policyFor(parts, 'guided'), rows, 1))] : []),
  await time('diffusion (ml/ in-process)', () => generate({ ...parts, eps: netEps(parts.model.net) }, policyFor({ ...parts, eps: netEps(parts.model.net) }, 'diffusion'), rows, 1)),
  ...(parts.samples ? await Promise.all((['search', 'interpolate', 'single'] as const).map((m) => time(m, () => generate(parts, policyFor(parts, m), rows, 1))))
    : []),
]
await parts.release()
process.stdout.write(JSON.stringify({ windows: rows.length, results }, null, 2) + '\n')
