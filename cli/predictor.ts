/**
 * `edgemime predictor <eval|train|test|predict|update>`: the runtime predictor's CLI (issue 5).
 * Tables go to stdout, progress to stderr; `--json` prints the contract's JSON instead.
 * @module
 */
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import {
  aggregate, formatTable, loadPredictor, runJobs, testModel, trainModel, updatePredictor, loadPools,
  type Job, type ModelConfig, type Variant,
} from '../predictor/index.js'

const USAGE = `usage: edgemime predictor <command> [options]
  eval    --data DIR --split S --replicates R [--json] [--variants pitot,no_interference,no_side_information,cold]
          [--workers N] [--steps N] [--set key=value ...]
  train   --data DIR --out MODEL_DIR [--steps N] [--val-share F] [--set key=value ...]
  test    --model MODEL_DIR --data DIR2 [--json] [--plot bounds.svg|.png]
  predict --model MODEL_DIR --platform P --workload W [--with K1,K2] [--eps E]
  update  --model MODEL_DIR --data DIR_NEW [--json]   warm-started update with new rows, saved in place
`

function num(v: string | undefined, name: string, lo: number, hi: number): number {
  const x = Number(v)
  if (v === undefined || !Number.isFinite(x) || x < lo || x > hi) throw new InvalidInputError(`--${name} must be a number in [${lo}, ${hi}], got '${v ?? ''}'`)
  return x
}

function need(v: string | undefined, name: string): string {
  if (!v) throw new InvalidInputError(`--${name} is required\n${USAGE}`)
  return v
}

/** `--set key=value` overrides of the model config (values are JSON). */
function overrides(sets: string[] | undefined, steps: string | undefined): Partial<ModelConfig> {
  const out: Record<string, unknown> = {}
  for (const s of sets ?? []) {
    const at = s.indexOf('=')
    if (at < 1) throw new InvalidInputError(`--set expects key=value, got '${s}'`)
    try { out[s.slice(0, at)] = JSON.parse(s.slice(at + 1)) } catch { throw new InvalidInputError(`--set ${s}: value is not JSON`) }
  }
  if (steps !== undefined) out.steps = num(steps, 'steps', 1, 1e7)
  return out as Partial<ModelConfig>
}

const OPTIONS = {
  data: { type: 'string' }, split: { type: 'string' }, replicates: { type: 'string' }, json: { type: 'boolean' },
  variants: { type: 'string' }, workers: { type: 'string' }, steps: { type: 'string' }, set: { type: 'string', multiple: true },
  out: { type: 'string' }, 'val-share': { type: 'string' }, model: { type: 'string' }, platform: { type: 'string' },
  workload: { type: 'string' }, plot: { type: 'string' }, with: { type: 'string' }, eps: { type: 'string' },
} as const

const VARIANTS: Variant[] = ['pitot', 'no_interference', 'no_side_information', 'cold']

export async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  if (!cmd || cmd === '--help' || cmd === 'help') { process.stdout.write(USAGE); return cmd ? 0 : 1 }
  const { values: o } = parseArgs({ args: rest, options: OPTIONS, strict: true })
  const print = (json: unknown, text: string) => process.stdout.write(o.json ? `${JSON.stringify(json, null, 2)}\n` : text)
  switch (cmd) {
    case 'eval': {
      const data = need(o.data, 'data'), split = num(o.split, 'split', 0.01, 0.99)
      const replicates = num(o.replicates ?? '5', 'replicates', 1, 100)
      const variants = (o.variants ?? 'pitot,no_interference,no_side_information').split(',') as Variant[]
      for (const v of variants) if (!VARIANTS.includes(v)) throw new InvalidInputError(`unknown variant '${v}' (${VARIANTS.join(', ')})`)
      const config = overrides(o.set, o.steps)
      const jobs: Job[] = variants.flatMap((variant) => Array.from({ length: replicates }, (_, replicate) => ({ data, split, replicate, variant, config })))
      const results = await runJobs(jobs, { workers: o.workers ? num(o.workers, 'workers', 1, 64) : undefined })
      const agg = aggregate(results)
      const seconds = results.map((r) => r.trainSeconds)
      print({ split, replicates, ...agg.pitot, results: agg, trainSeconds: seconds },
        `split ${split}, ${replicates} replicates, mean ± 2 SE; [Pitot] = published (Huang et al., MLSys 2025)\n${formatTable(agg, split)}` +
        `training time per model: ${Math.min(...seconds).toFixed(1)}-${Math.max(...seconds).toFixed(1)} s\n`)
      return 0
    }
    case 'train': {
      const r = trainModel(need(o.data, 'data'), need(o.out, 'out'), {
        config: overrides(o.set, o.steps), valShare: o['val-share'] ? num(o['val-share'], 'val-share', 0.05, 0.5) : undefined,
      })
      print(r, `trained in ${r.seconds.toFixed(1)} s (best step ${r.bestStep}), wrote ${r.files.join(', ')}\n`)
      return 0
    }
    case 'test': {
      const r = testModel(need(o.model, 'model'), need(o.data, 'data'), o.plot)
      print(r, formatTable({ model: r }, NaN))
      return 0
    }
    case 'predict': {
      const p = loadPredictor(need(o.model, 'model'))
      const eps = o.eps === undefined ? 0.05 : num(o.eps, 'eps', 1e-6, 0.999999)
      const row = { platform: need(o.platform, 'platform'), workload: need(o.workload, 'workload'), corunners: o.with ? o.with.split(',') : [] }
      const runtime = p.predict([row])[0], bound = p.bound([row], eps)[0]
      print({ runtime_us: runtime, bound_us: bound, eps }, `predicted runtime ${runtime.toFixed(1)} µs, upper bound (eps ${eps}) ${bound.toFixed(1)} µs\n`)
      return 0
    }
    case 'update': {
      const dir = need(o.model, 'model')
      const p = loadPredictor(dir)
      const r = updatePredictor(p, loadPools(need(o.data, 'data'), p.platforms.count, p.workloads.count), { save: true })
      print(r, `updated with ${r.newRows} rows in ${r.seconds.toFixed(1)} s; calibration refreshed\n`)
      return 0
    }
    default:
      throw new InvalidInputError(`unknown predictor command '${cmd}'\n${USAGE}`)
  }
}
