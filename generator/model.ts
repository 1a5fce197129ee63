/**
 * A trained generator on disk: `model.json` (space, normalisation ranges, network config,
 * guidance, training record), `weights.safetensors` (EMA weights) and `model.onnx` (the same
 * network for onnxruntime, which is what sampling runs).
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidInputError, NotFoundError } from '../common/errors.js'
import type { Mlp } from '../ml/mlp.js'
import { loadParams, saveParams } from '../ml/serialize.js'
import { buildDenoiser, type DenoiserConfig } from './denoiser.js'
import type { ForwardModel } from './forward.js'
import type { Ranges } from './normalise.js'
import type { Space } from './types.js'

/** model.json. */
export interface ModelMeta {
  version: 1
  space: Space
  ranges: Ranges
  net: DenoiserConfig
  /** Classifier-free guidance weight used when sampling. */
  guidance: number
  stateAware: boolean
  /** Noise scale of sampling (sample.ts); absent in older models: 1. */
  temperature?: number
  /** Forward model a → o fitted on the training samples (absent in models trained before it). */
  forward?: ForwardModel
  /** Free-form record of how it was trained (samples, steps, loss, seconds, alignment). */
  training: Record<string, unknown>
}

export interface LoadedModel {
  dir: string
  meta: ModelMeta
  net: Mlp
}

/** Writes model.json and the weights (and the ONNX graph, when given) into `dir`. */
export function saveModel(dir: string, meta: ModelMeta, net: Mlp, onnx?: Uint8Array): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'model.json'), JSON.stringify(meta, null, 2))
  saveParams(join(dir, 'weights.safetensors'), net.params(), { kind: 'edgemime-generator' })
  if (onnx) writeFileSync(join(dir, 'model.onnx'), onnx)
}

/** Reads a model directory. @throws NotFoundError when it is not one. */
export function loadModel(dir: string): LoadedModel {
  const metaPath = join(dir, 'model.json')
  if (!existsSync(metaPath)) throw new NotFoundError(`no generator model in ${dir} (missing model.json; run \`edgemime generator train\`)`)
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ModelMeta
  if (meta.version !== 1) throw new InvalidInputError(`${metaPath}: unsupported model version ${String(meta.version)}`)
  const net = buildDenoiser(meta.net)
  loadParams(join(dir, 'weights.safetensors'), net.params())
  return { dir, meta, net }
}
