/**
 * ONNX side of the engine: graph builder, layer exporters (forward and backward), sessions over
 * onnxruntime-node/-web, and ORT-compiled MLP training.
 * @module
 */
export { GraphBuilder, attr, type AttrValue, type DType, type Dim, type ModelOptions } from './graph-builder.js'
export { exportParam, exportActivation, exportLinear, exportMlp, type ExportOptions, type ParamMode, type MlpValues } from './export-layers.js'
export { exportActivationBackward, exportMlpBackward, type MlpBackwardValues } from './export-backward.js'
export { createSession, type Session, type SessionOptions, type OrtBackend, type Feed, type Fetched, type TensorData } from './session.js'
export { compileMlp, compileMlps, type CompiledMlp, type CompiledMlps, type CompileOptions, type MlpBatch } from './ort-mlp.js'
