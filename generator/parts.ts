/**
 * Opens everything generation needs from a model directory: metadata, the ONNX ε-network in an
 * onnxruntime session, the training samples the baselines search (model.json training.data)
 * and the forward model guided sampling refines with.
 * @module
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { NotFoundError } from '../common/errors.js'
import { openDataset } from './dataset.js'
import { fitForward, Forward } from './forward.js'
import type { GeneratorParts } from './generate.js'
import { loadModel, type LoadedModel } from './model.js'
import { onnxEps } from './onnx.js'

/** Parts plus the loaded model and a release() for the onnxruntime session. */
export interface OpenParts extends GeneratorParts { model: LoadedModel; release(): Promise<void> }

/**
 * @param dataDir training dataset for the baselines (default: the one the model was trained on; skipped if gone)
 * @throws NotFoundError when the model directory has no model.onnx
 */
export async function openParts(modelDir: string, dataDir?: string): Promise<OpenParts> {
  const model = loadModel(modelDir)
  const onnxPath = join(modelDir, 'model.onnx')
  if (!existsSync(onnxPath)) throw new NotFoundError(`${modelDir} has no model.onnx`)
  const { eps, session } = await onnxEps(onnxPath, model.meta.net)
  const data = dataDir ?? (model.meta.training.data as string | undefined)
  const samples = data && existsSync(join(data, 'meta.json')) ? openDataset(data).samples : undefined
  // Saved with the model so that guided sampling needs no dataset; models trained before the
  // forward model existed get one fitted here from their training samples (~0.2 s for 2 800).
  const fm = model.meta.forward ?? (samples?.length ? fitForward(model.meta.ranges, samples) : undefined)
  return { meta: model.meta, eps, samples, forward: fm && new Forward(fm), model, release: () => session.release() }
}
