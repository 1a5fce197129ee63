/**
 * Exports a trained Pitot model as one ONNX graph (ml/onnx builder): both towers over the
 * baked entity inputs, the gathers and Eq. 9 for a batch of rows.
 *   inputs:  platform [n] int64, workload [n] int64, corunners [n, A] int64 (A may be 0)
 *   output:  y [n, heads] log-runtime of every quantile head (calibration margins in metadata)
 * @module
 */
import { writeFileSync } from 'node:fs'
import { GraphBuilder, attr, exportMlp } from '../ml/onnx/index.js'
import type { PitotModel, Tower } from './model.js'

function towerGraph(g: GraphBuilder, t: Tower, name: string): string {
  const input = new Float32Array(t.input)
  for (let e = 0; e < t.count; e++) for (let f = 0; f < t.q; f++) input[e * t.inDim + t.sideDim + f] = t.learned.value[e * t.q + f]
  return exportMlp(g, t.mlp, g.initializer(`${name}.input`, input, [t.count, t.inDim])).output
}

/** Builds the graph bytes of `m` (current weights). */
export function onnxBytes(m: PitotModel, metadata: Record<string, string> = {}): Uint8Array {
  const g = new GraphBuilder('pitot')
  const { heads: H, rank: R, types: S, slope } = m.dims
  const platform = g.input('platform', ['n'], 'int64')
  const workload = g.input('workload', ['n'], 'int64')
  const corunners = g.input('corunners', ['n', 'k'], 'int64')
  const shape = (dims: number[]) => g.constant(dims, [dims.length], 'int64')
  const work = g.op('Reshape', [towerGraph(g, m.work, 'workload'), shape([m.work.count, H, R])])
  const plat = towerGraph(g, m.plat, 'platform')
  const bx = g.initializer('baseline.platform', m.bx.value, [m.bx.value.length])
  const by = g.initializer('baseline.workload', m.by.value, [m.by.value.length])
  const wi = g.op('Gather', [work, workload], { axis: attr.int(0) }) // [n, H, R]
  const pe = g.op('Gather', [plat, platform], { axis: attr.int(0) }) // [n, R(1+2S)]
  const slice = (from: number, to: number) => g.op('Slice', [pe, shape([from]), shape([to]), shape([1])])
  const p = g.op('Unsqueeze', [slice(0, R), shape([1])]) // [n, 1, R]
  const base = g.op('Unsqueeze', [g.op('Add', [g.op('Gather', [bx, platform]), g.op('Gather', [by, workload])]), shape([1])])
  let y = g.op('Add', [base, g.op('ReduceSum', [g.op('Mul', [wi, p]), shape([2])], { keepdims: attr.int(0) })])
  if (S > 0) {
    const vs = g.op('Reshape', [slice(R, R + S * R), shape([0, S, R])]) // [n, S, R]
    const vg = g.op('Reshape', [slice(R + S * R, R + 2 * S * R), shape([0, S, R])])
    // Σ_k w_k: gather [n, k, H, R] and sum over k (an empty k sums to zero: isolated rows).
    const wk = g.op('ReduceSum', [g.op('Gather', [work, corunners], { axis: attr.int(0) }), shape([1])], { keepdims: attr.int(0), noop_with_empty_axes: attr.int(0) })
    const perm = { perm: attr.ints([0, 2, 1]) }
    const mag = g.op('MatMul', [wk, g.op('Transpose', [vg], perm)]) // [n, H, S]
    const sus = g.op('MatMul', [wi, g.op('Transpose', [vs], perm)]) // [n, H, S]
    const act = g.op('LeakyRelu', [mag], { alpha: attr.float(slope) })
    y = g.op('Add', [y, g.op('ReduceSum', [g.op('Mul', [sus, act]), shape([2])], { keepdims: attr.int(0) })])
  }
  g.output(y, 'y', ['n', H])
  return g.toBytes({ metadata: { quantiles: JSON.stringify(m.config.quantiles), ...metadata } })
}

/** Writes the model's ONNX graph to `path`. */
export function exportOnnx(m: PitotModel, path: string, metadata: Record<string, string> = {}): void {
  writeFileSync(path, onnxBytes(m, metadata))
}
