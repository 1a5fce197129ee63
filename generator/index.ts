/**
 * The trace-to-composition generator (MimeSys on the device): collection, training, generation
 * with the diffusion model (plain or guided by a learned forward model) or a baseline,
 * alignment, evaluation and closed-loop replay.
 * @module
 */
export { collect, makeSpace, type CollectOptions, type Strategy } from './collect.js'
export { openDataset, type Dataset, type DatasetMeta } from './dataset.js'
export { Device, toComposition, type Replayer } from './device.js'
export { train, type TrainOptions } from './train.js'
export { saveModel, loadModel, type ModelMeta, type LoadedModel } from './model.js'
export { openParts, type OpenParts } from './parts.js'
export { generate, policyFor, targetRows, windowsPerRow, GUIDED_CANDIDATES, type Policy, type GeneratorParts } from './generate.js'
export { fitForward, Forward, type ForwardModel } from './forward.js'
export { refine, refineBest, type RefineOptions } from './guide.js'
export { align, forwardReplayer, sampleSegments, type AlignOptions, type SampledSegments } from './align.js'
export { alignGradient, chainGradient, type GradientAlignOptions } from './align-gradient.js'
export { closedLoop, type ClosedLoopOptions } from './closed-loop.js'
export { evalOne, score, replayRows, overlayChart, type Replayed } from './evaluate.js'
export { readTarget, parseTarget, fillGaps, targetFiles } from './target.js'
export { exportOnnx, onnxEps, netEps, type EpsFn } from './onnx.js'
export { RECORD_SOURCES, type RecordSource } from './recorder.js'
export { DEFAULT_METRICS, DEFAULT_STRESSORS, METHODS, type Method, type Space, type Sample, type Target } from './types.js'
