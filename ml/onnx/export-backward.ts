/**
 * Hand-derived backward graphs: given the forward values of an exported MLP, writes the
 * gradient of every parameter (and optionally of the input) for an upstream gradient dy.
 * Used to train with ONNX Runtime's native kernels (./ort-mlp.ts). Rows-major 2-D inputs only.
 * @module
 */
import { InvalidInputError } from '../../common/errors.js'
import type { Activation } from '../activations.js'
import type { Mlp } from '../mlp.js'
import { attr, type GraphBuilder } from './graph-builder.js'

/** dx = dy · f'(z) for activation f with input z and output y. */
export function exportActivationBackward(g: GraphBuilder, act: Activation, z: string, y: string, dy: string): string {
  const c = (v: number) => g.constant([v], [])
  switch (act.kind) {
    case 'identity': return dy
    case 'relu': return g.op('Where', [g.op('Greater', [z, c(0)]), dy, c(0)])
    case 'leakyRelu': return g.op('Where', [g.op('Greater', [z, c(0)]), dy, g.op('Mul', [dy, c(act.slope!)])])
    case 'tanh': return g.op('Mul', [dy, g.op('Sub', [c(1), g.op('Mul', [y, y])])])
    case 'silu': {
      const s = g.op('Sigmoid', [z])
      const inner = g.op('Add', [c(1), g.op('Mul', [z, g.op('Sub', [c(1), s])])])
      return g.op('Mul', [dy, g.op('Mul', [s, inner])])
    }
    case 'gelu': {
      // d/dz z·Φ(z) = Φ(z) + z·φ(z)
      const Phi = g.op('Mul', [g.op('Add', [g.op('Erf', [g.op('Mul', [z, c(Math.SQRT1_2)])]), c(1)]), c(0.5)])
      const phi = g.op('Mul', [g.op('Exp', [g.op('Mul', [g.op('Mul', [z, z]), c(-0.5)])]), c(1 / Math.sqrt(2 * Math.PI))])
      return g.op('Mul', [dy, g.op('Add', [Phi, g.op('Mul', [z, phi])])])
    }
    default: throw new InvalidInputError(`ONNX backward: unsupported activation '${String(act.kind)}'`)
  }
}

export interface MlpBackwardValues {
  /** Parameter name -> name of its gradient value (bias gradients have shape [1, out]). */
  grads: Map<string, string>
  dx?: string
}

/**
 * @param input  the MLP's input value
 * @param pre    layer i's linear output (as named in this graph)
 * @param post   layer i's activation output
 * @param dy     gradient of the loss with respect to the MLP's output
 * @param inputGradFrom with inputGrad, only input columns from this one on get a gradient
 */
export function exportMlpBackward(g: GraphBuilder, mlp: Mlp, input: string, pre: readonly string[], post: readonly string[],
  dy: string, { inputGrad = false, inputGradFrom = 0 } = {}): MlpBackwardValues {
  const grads = new Map<string, string>()
  // Bias gradients as onesᵀ·d (a GEMV): ORT's ReduceSum over axis 0 was 18% of the backward time.
  const rows = g.op('Shape', [dy], { start: attr.int(0), end: attr.int(1) })
  const onesShape = g.op('Concat', [rows, g.constant([1], [1], 'int64')], { axis: attr.int(0) })
  const ones = g.op('Expand', [g.constant([1], [1, 1]), onesShape])
  let d = dy
  for (let i = mlp.layers.length - 1; i >= 0; i--) {
    const layer = mlp.layers[i]
    d = exportActivationBackward(g, mlp.activations[i], pre[i], post[i], d)
    const h = i === 0 ? input : post[i - 1]
    grads.set(layer.weight.name, g.op('Gemm', [h, d], { transA: attr.int(1) }))
    if (layer.bias) grads.set(layer.bias.name, g.op('Gemm', [ones, d], { transA: attr.int(1) }))
    if (i > 0 || !inputGrad) {
      if (i > 0) d = g.op('Gemm', [d, layer.weight.name], { transB: attr.int(1) })
      continue
    }
    // Only input columns from.. : dx = dy · W[from:, :]ᵀ.
    const w = inputGradFrom === 0 ? layer.weight.name : g.op('Slice', [layer.weight.name,
      g.constant([inputGradFrom], [1], 'int64'), g.constant([layer.inDim], [1], 'int64'), g.constant([0], [1], 'int64')])
    d = g.op('Gemm', [d, w], { transB: attr.int(1) })
  }
  return { grads, dx: inputGrad ? d : undefined }
}
