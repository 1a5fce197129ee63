/**
 * The denoiser as an ONNX graph (input `x`: rows × inputDim, output `eps`: rows × compDim),
 * built with ml/onnx's MLP exporter, and the ε-function sampling uses: onnxruntime when a
 * session is open, the in-process network otherwise (training-time rollouts, alignment).
 * @module
 */
import type { Mlp } from '../ml/mlp.js'
import { exportMlp } from '../ml/onnx/export-layers.js'
import { GraphBuilder } from '../ml/onnx/graph-builder.js'
import { createSession, type Session } from '../ml/onnx/session.js'
import { inputDim, type DenoiserConfig } from './denoiser.js'

/** Predicts ε for `rows` input rows (rows × inputDim) → rows × compDim. */
export type EpsFn = (input: Float32Array, rows: number) => Promise<Float32Array>

/** Serialises the network's current weights as ONNX through ml/onnx's MLP exporter. */
export function exportOnnx(cfg: DenoiserConfig, net: Mlp): Uint8Array {
  const g = new GraphBuilder('edgemime-generator-eps')
  const { output } = exportMlp(g, net, g.input('x', ['rows', inputDim(cfg)]))
  g.output(output, 'eps', ['rows', cfg.compDim])
  return g.toBytes({ metadata: { kind: 'edgemime-generator', config: JSON.stringify(cfg) } })
}

/** ε from an onnxruntime session over the exported graph. */
export async function onnxEps(model: string | Uint8Array, cfg: DenoiserConfig): Promise<{ eps: EpsFn; session: Session }> {
  const session = await createSession(model, { threads: 1 })
  const width = inputDim(cfg)
  return {
    session,
    eps: async (input, rows) => {
      const out = await session.run({ x: { data: input.subarray(0, rows * width), dims: [rows, width] } }, ['eps'])
      return out.eps!.data as Float32Array
    },
  }
}

/** ε from the in-process network (a copy of its output: the layer buffers are reused). */
export function netEps(net: Mlp): EpsFn {
  return async (input, rows) => Float32Array.from(net.forward(input, rows).subarray(0, rows * net.outDim))
}
