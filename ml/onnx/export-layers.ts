/**
 * Forward exporters: each writes a layer into a GraphBuilder, taking the name of its input value
 * and returning the name of its output. Parameters appear under their own names (p.name), as
 * initializers (a deployable model) or as graph inputs (a training graph fed fresh weights
 * every step). MatMul + Add rather than Gemm, so inputs of any rank (e.g. [batch, tokens, d]) work.
 * @module
 */
import { InvalidInputError } from '../../common/errors.js'
import { identity, type Activation } from '../activations.js'
import type { Linear } from '../linear.js'
import type { Mlp } from '../mlp.js'
import type { Param } from '../params.js'
import { attr, type GraphBuilder } from './graph-builder.js'

export type ParamMode = 'initializer' | 'input'

export interface ExportOptions {
  /** Where weights come from (default 'initializer'). */
  params?: ParamMode
}

/** Declares a parameter in the graph (once) and returns its value name. */
export function exportParam(g: GraphBuilder, p: Param, { params = 'initializer' }: ExportOptions = {}): string {
  if (g.has(p.name)) return p.name
  return params === 'input' ? g.input(p.name, p.shape) : g.initializer(p.name, p.value, p.shape)
}

/** y = act(x). GELU uses the exact erf form, 0.5·x·(1 + erf(x/√2)) (ONNX Gelu, approximate="none"). */
export function exportActivation(g: GraphBuilder, act: Activation, x: string): string {
  switch (act.kind) {
    case 'identity': return x
    case 'relu': return g.op('Relu', [x])
    case 'leakyRelu': return g.op('LeakyRelu', [x], { alpha: attr.float(act.slope!) })
    case 'tanh': return g.op('Tanh', [x])
    case 'silu': return g.op('Mul', [x, g.op('Sigmoid', [x])])
    case 'gelu': {
      // Div by √2 (not Mul by 1/√2): the form ORT's GeluFusion recognises, one kernel instead of five.
      const e = g.op('Erf', [g.op('Div', [x, g.constant([Math.SQRT2], [])])])
      return g.op('Mul', [g.op('Mul', [x, g.constant([0.5], [])]), g.op('Add', [e, g.constant([1], [])])])
    }
    default: throw new InvalidInputError(`ONNX export: unsupported activation '${String(act.kind)}'`)
  }
}

/** y = x·W + b over the last axis. */
export function exportLinear(g: GraphBuilder, layer: Linear, x: string, opts: ExportOptions = {}): string {
  const y = g.op('MatMul', [x, exportParam(g, layer.weight, opts)])
  return layer.bias ? g.op('Add', [y, exportParam(g, layer.bias, opts)]) : y
}

/** Values an exported MLP leaves behind: the output and, per layer, pre- and post-activation. */
export interface MlpValues { output: string; pre: string[]; post: string[] }

/** Writes an Mlp; `pre[i]`/`post[i]` name layer i's linear output and activation output. */
export function exportMlp(g: GraphBuilder, mlp: Mlp, x: string, opts: ExportOptions = {}): MlpValues {
  const pre: string[] = []
  const post: string[] = []
  let h = x
  mlp.layers.forEach((layer, i) => {
    const z = exportLinear(g, layer, h, opts)
    pre.push(z)
    h = mlp.activations[i] === identity ? z : exportActivation(g, mlp.activations[i], z)
    post.push(h)
  })
  return { output: h, pre, post }
}
