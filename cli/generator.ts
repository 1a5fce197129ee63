/**
 * `edgemime generator collect|train|align|eval`: the generator's pipeline on this device.
 * @module
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import { progressBar } from '../common/progress.js'
import { collect, type Strategy } from '../generator/collect.js'
import { openDataset } from '../generator/dataset.js'
import { saveModel } from '../generator/model.js'
import { RECORD_SOURCES, type RecordSource } from '../generator/recorder.js'
import { train } from '../generator/train.js'
import { exportOnnx } from '../generator/onnx.js'

const USAGE = `usage: edgemime generator <collect|train|align|eval> [options]
  collect --out DIR --windows N [--window-ms 250] [--strategy novelty|random] [--source replay|process|system] [--seed S]
          [--stressors NAME,NAME,...] [--threads 2] [--one-kind-per-thread]
          run compositions on this device and store (previous, composition, trace window); resumable
  train   --data DIR --out MODEL_DIR [--iterations 30000] [--minutes 15] [--hidden 256] [--layers 3] [--no-state] [--synthetic 200000] [--guidance W] [--limit N] [--seed S]
  align   --model MODEL_DIR --traces DIR [--out MODEL_DIR] [--reward device|forward|gradient] [--iterations 6] [--segment 32] [--lr 1e-5]
          [--depth 1] [--source replay|process|system] [--real-time]
          alignment on unlabeled real traces; prints the diffusion method's DTW before and after (replayed)
          device, forward: DDPO rewarded by replays or by the forward model; gradient: the forward
          model's gradient backpropagated through the last --depth denoising steps
          --real-time rewards (and scores) each row played over its own period, as eval --real-time
  eval    --model MODEL_DIR --traces DIR [--methods diffusion,search,interpolate,single] [--json] [--plots DIR]
          [--drop F] [--candidates N] [--closed-loop] [--source replay|process|system] [--real-time]
          --real-time plays each row over its own period (default: one model window per row)
`

/** A numeric option: integer (or real when `real`) ≥ min. */
export function num(name: string, v: string | undefined, min: number, real = false): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || (!real && !Number.isInteger(n)) || n < min) {
    throw new InvalidInputError(`--${name} must be ${real ? 'a number' : 'an integer'} ≥ ${min}, got '${v}'`)
  }
  return n
}

/** Aborts on the first SIGINT so long jobs stop cleanly (what they stored so far is kept). */
export function interruptible(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController()
  const onSigint = () => ac.abort()
  process.once('SIGINT', onSigint)
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onSigint) }
}

/** Runs `edgemime generator ...`. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  switch (sub) {
    case 'collect': return collectCmd(rest)
    case 'train': return trainCmd(rest)
    case 'align': return (await import('./generator-align.js')).alignCmd(rest)
    case 'eval': return (await import('./generator-eval.js')).evalCmd(rest)
    case undefined: case '--help': case '-h': process.stdout.write(USAGE); return sub ? 0 : 2
    default: process.stderr.write(`edgemime generator: unknown subcommand '${sub}'\n${USAGE}`); return 2
  }
}

async function collectCmd(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    out: { type: 'string' }, windows: { type: 'string' }, 'window-ms': { type: 'string' }, strategy: { type: 'string' },
    source: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' }, stressors: { type: 'string' },
    'one-kind-per-thread': { type: 'boolean' },
  } })
  if (!values.out || !values.windows) { process.stderr.write(USAGE); return 2 }
  const source = (values.source ?? 'replay') as RecordSource
  if (!RECORD_SOURCES.includes(source)) throw new InvalidInputError(`--source must be one of ${RECORD_SOURCES.join(', ')}`)
  const windows = num('windows', values.windows, 1)!
  const bar = progressBar(`collect (${values.strategy ?? 'novelty'})`, windows)
  const { signal, dispose } = interruptible()
  let warning: string | undefined
  try {
    const ds = await collect({
      out: values.out, windows, windowMs: num('window-ms', values['window-ms'], 50), strategy: (values.strategy ?? 'novelty') as Strategy,
      source, seed: num('seed', values.seed, 0), threads: num('threads', values.threads, 1), oneKindPerThread: values['one-kind-per-thread'],
      stressors: values.stressors?.split(','), signal, onProgress: (d, t) => bar.update(d, `of ${t}`),
      onWarning: (w) => { warning = w },
    })
    bar.stop()
    if (warning) process.stderr.write(`warning: ${warning}\n`)
    process.stderr.write(`${ds.samples.length} samples in ${values.out}${signal.aborted ? ' (interrupted; run again to resume)' : ''}\n`)
    return signal.aborted ? 130 : 0
  } finally { dispose() }
}

async function trainCmd(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    data: { type: 'string' }, out: { type: 'string' }, iterations: { type: 'string' }, minutes: { type: 'string' },
    hidden: { type: 'string' }, layers: { type: 'string' }, batch: { type: 'string' }, 'no-state': { type: 'boolean', default: false },
    seed: { type: 'string' }, limit: { type: 'string' }, synthetic: { type: 'string' }, guidance: { type: 'string' },
  } })
  if (!values.data || !values.out) { process.stderr.write(USAGE); return 2 }
  const ds = openDataset(values.data)
  const limit = num('limit', values.limit, 2)
  const samples = limit ? ds.samples.slice(0, limit) : ds.samples
  const iterations = num('iterations', values.iterations, 1) ?? 30_000
  const bar = progressBar('train', iterations)
  const { meta, net } = train(ds.meta.space, samples, {
    iterations, maxSeconds: 60 * (num('minutes', values.minutes, 0, true) ?? 15), hidden: num('hidden', values.hidden, 4),
    layers: num('layers', values.layers, 1), batch: num('batch', values.batch, 1), stateAware: !values['no-state'],
    seed: num('seed', values.seed, 0), synthetic: num('synthetic', values.synthetic, 0), guidance: num('guidance', values.guidance, 0, true),
    onProgress: (d, _t, loss) => { if (d % 20 === 0) bar.update(d, `loss ${loss.toFixed(4)}`) },
  })
  bar.stop()
  meta.training.data = resolve(values.data)
  saveModel(values.out, meta, net, exportOnnx(meta.net, net))
  process.stderr.write(`model in ${values.out}: ${samples.length} samples, ${String(meta.training.iterations)} iterations, loss ${Number(meta.training.loss).toFixed(4)}, ${Number(meta.training.seconds).toFixed(0)} s\n`)
  return 0
}
