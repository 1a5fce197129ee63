/**
 * `edgemime generate --model DIR --trace TARGET.csv --out COMP.json [--method ...]`: a stressor
 * composition (stressors-wasm format, replayable with `edgemime replay`) that reproduces the trace.
 * @module
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import { progressBar } from '../common/progress.js'
import { toComposition } from '../generator/device.js'
import { generate, policyFor, targetRows, windowsPerRow } from '../generator/generate.js'
import { openParts } from '../generator/parts.js'
import { readTarget } from '../generator/target.js'
import { METHODS, type Method } from '../generator/types.js'
import { num } from './generator.js'

const USAGE = `usage: edgemime generate --model MODEL_DIR --trace TARGET.csv --out COMP.json [options]
  --method M     ${METHODS.join(' | ')} (default diffusion)
  --data DIR     training dataset for the baselines (default: the model's)
  --candidates N diffusion: sample N per window, keep the one the forward model predicts closest;
                 guided: N diffusion proposals refined on the forward model (default 8)
  --compress     one window per trace row instead of row period / model window
  --seed S       sampling seed (default 0)
`

/** Runs `edgemime generate ...`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    model: { type: 'string' }, trace: { type: 'string' }, out: { type: 'string' }, method: { type: 'string' },
    data: { type: 'string' }, candidates: { type: 'string' }, compress: { type: 'boolean', default: false }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } })
  if (values.help) { process.stdout.write(USAGE); return 0 }
  if (!values.model || !values.trace || !values.out) { process.stderr.write(USAGE); return 2 }
  const method = (values.method ?? 'diffusion') as Method
  if (!METHODS.includes(method)) throw new InvalidInputError(`--method must be one of ${METHODS.join(', ')}, got '${method}'`)
  const parts = { ...await openParts(values.model, values.data), candidates: num('candidates', values.candidates, 1) }
  try {
    const target = readTarget(values.trace, parts.meta.space.metrics)
    const rows = targetRows(parts.meta, target)
    const perRow = windowsPerRow(parts.meta, target, values.compress)
    const bar = progressBar(`generate (${method})`, rows.length * perRow)
    const started = performance.now()
    const windows = await generate(parts, policyFor(parts, method), rows, perRow, {
      seed: num('seed', values.seed, 0), onWindow: (d) => { if (d % 10 === 0) bar.update(d) },
    })
    bar.stop()
    const comp = toComposition(parts.meta.space, windows, `generator:${method}:${target.name}`)
    writeFileSync(values.out, JSON.stringify(comp))
    process.stderr.write(`${windows.length} windows of ${comp.windowMs} ms in ${((performance.now() - started) / 1000).toFixed(2)} s -> ${values.out}\n`)
    return 0
  } finally {
    await parts.release()
  }
}
