/**
 * edgemime's one machine-learning engine: seeded RNG, Float32Array layers with hand-derived
 * backward passes, losses, Adam-family optimizers, safetensors parameter files, a pluggable
 * compute backend (SIMD WebAssembly by default, plain JS reference; it also runs Pitot's Eq. 9
 * rows, ./eq9.ts), and the ONNX side: graph builder, exporters, onnxruntime sessions and
 * ORT-compiled MLP training (./onnx/index.ts).
 * @module
 */
export { Rng } from './rng.js'
export { erf } from './erf.js'
export { kernels, setKernels, useBackend, type Kernels, type GemmOptions, type AdamStep } from './kernels.js'
export { createWasmKernels, type WasmKernelOptions } from './kernels-wasm.js'
export { jsKernels } from './kernels-js.js'
export {
  identity, relu, leakyRelu, gelu, silu, tanh, activationByKind,
  type Activation, type ActivationKind,
} from './activations.js'
export { createParam, initWeight, zeroGrads, countParams, type Param, type Init } from './params.js'
export { Linear, ensure, type LinearOptions, type BackwardOptions } from './linear.js'
export { Mlp, type MlpOptions } from './mlp.js'
export { mse, pinball, type LossOptions } from './loss.js'
export { eq9PlatformWidth, eq9RecordSize, type Eq9Dims, type Eq9Rows, type Eq9Tables } from './eq9.js'
export { Adam, AdamW, Adamax, type Optimizer, type OptimizerOptions } from './optim.js'
export { saveParams, loadParams, readTensors, type StoredTensor } from './serialize.js'
export * from './onnx/index.js'
