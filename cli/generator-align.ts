/**
 * `edgemime generator align --model DIR --traces DIR [--out DIR] [--reward device|forward|gradient]`:
 * alignment on unlabeled real traces, by DDPO rewarded by replays on this device (MimeSys) or by
 * the model's forward model (hundreds of iterations in minutes), or by backpropagating the
 * forward model's gradient through the sampler (`gradient`), with the diffusion method's
 * normalised DTW before and after, both measured by replays on the device.
 * @module
 */
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import { progressBar } from '../common/progress.js'
import { align, forwardReplayer } from '../generator/align.js'
import { alignGradient } from '../generator/align-gradient.js'
import { Device, foreignLoadWarning } from '../generator/device.js'
import { evalOne } from '../generator/evaluate.js'
import { saveModel } from '../generator/model.js'
import { exportOnnx } from '../generator/onnx.js'
import { openParts, type OpenParts } from '../generator/parts.js'
import type { RecordSource } from '../generator/recorder.js'
import { readTarget, targetFiles } from '../generator/target.js'
import type { Target } from '../generator/types.js'
import { interruptible, num } from './generator.js'

/** Reward backpropagation's defaults, chosen with bench/generator-align.ts (generator/README.md). */
const GRADIENT_DEFAULTS = { iterations: 200, lr: 1e-5 }

async function meanDtw(device: Device, parts: OpenParts, targets: Target[], compress: boolean): Promise<number> {
  let s = 0
  for (const t of targets) s += (await evalOne(device, parts, t, 'diffusion', { compress })).result.mean
  return s / targets.length
}

export async function alignCmd(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    model: { type: 'string' }, traces: { type: 'string' }, out: { type: 'string' }, iterations: { type: 'string' },
    segment: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' }, source: { type: 'string' }, reward: { type: 'string' },
    depth: { type: 'string' }, 'real-time': { type: 'boolean', default: false },
  } })
  if (!values.model || !values.traces) { process.stderr.write('usage: edgemime generator align --model DIR --traces DIR [--out DIR] [--reward device|forward|gradient] [--iterations 6|200] [--segment 32] [--lr 1e-5|3e-5] [--depth 1] [--real-time]\n'); return 2 }
  const reward = values.reward ?? 'device'
  if (reward !== 'device' && reward !== 'forward' && reward !== 'gradient') throw new InvalidInputError(`--reward must be device, forward or gradient, got '${reward}'`)
  // Every option is checked before the first replay: the 'before' score alone takes minutes.
  // Device rewards cost the windows' own length in device time; forward-model rewards are cheap and
  // take many small steps (on the main model lr 1e-4 diverged after ~50 iterations; 3e-5 improved
  // for ~150 and collapsed after ~300, and align() keeps the best iteration's weights).
  // Reward backpropagation: GRADIENT_DEFAULTS (bench/generator-align.ts).
  const iterations = num('iterations', values.iterations, 1) ?? { device: 6, forward: 200, gradient: GRADIENT_DEFAULTS.iterations }[reward]
  const segment = num('segment', values.segment, 2)
  const lr = num('lr', values.lr, 0, true) ?? { device: undefined, forward: 3e-5, gradient: GRADIENT_DEFAULTS.lr }[reward]
  const depth = num('depth', values.depth, 1)
  if (depth !== undefined && reward !== 'gradient') throw new InvalidInputError('--depth is for --reward gradient')
  const seed = num('seed', values.seed, 0)
  const realTime = values['real-time']
  const out = values.out ?? values.model
  const files = targetFiles(values.traces)
  let parts: OpenParts | undefined = await openParts(values.model)
  let device: Device | undefined
  const { signal, dispose } = interruptible()
  try {
    if (reward !== 'device' && !parts.forward) {
      throw new InvalidInputError(`--reward ${reward} needs a forward model (model.json forward, or the training dataset to fit one)`)
    }
    const space = parts.meta.space
    const targets = files.map((f) => readTarget(join(values.traces!, f), space.metrics))
    device = await Device.open(space, values.source as RecordSource | undefined)
    const before = await meanDtw(device, parts, targets, !realTime)
    process.stderr.write(`diffusion mean normalised DTW before alignment: ${before.toFixed(4)}\n`)
    const bar = progressBar('align', iterations)
    const { meta, net } = parts.model
    const onIteration = (i: number, r: number) => bar.update(i + 1, `reward ${r.toFixed(4)}`)
    const rewards = reward === 'gradient'
      ? await alignGradient(meta, net, parts.forward!, targets, { iterations, segment, lr, depth, seed, signal, onIteration })
      : await align(reward === 'forward' ? forwardReplayer(meta.ranges, parts.forward!) : device, meta, net, targets, {
        iterations, segment, realTime, lr, seed, signal, onIteration,
      })
    bar.stop()
    meta.training.alignment = { iterations: rewards.length, reward, realTime, rewards, traces: files, dtwBefore: before }
    await parts.release()
    parts = undefined
    saveModel(out, meta, net, exportOnnx(meta.net, net))
    parts = await openParts(out)
    const after = await meanDtw(device, parts, targets, !realTime)
    meta.training.alignment = { ...meta.training.alignment as object, dtwAfter: after }
    saveModel(out, meta, net, exportOnnx(meta.net, net))
    process.stdout.write(`diffusion mean normalised DTW: before ${before.toFixed(4)}, after ${after.toFixed(4)} (model in ${out})\n`)
    const warning = foreignLoadWarning(device)
    if (warning) process.stderr.write(`warning: ${warning}\n`)
    return 0
  } finally {
    dispose()
    await device?.close()
    await parts?.release()
  }
}
