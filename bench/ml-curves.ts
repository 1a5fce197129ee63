/**
 * Loss curves of one training run per backend (JS, WASM, ORT) from the same initial weights and
 * data, for bench/ml-train.ts --plot: the curves must lie on top of each other, which shows at a
 * glance that the fast paths compute the same training, not just the same single step.
 * @module
 */
import { Adamax, Mlp, Rng, compileMlp, gelu, mse, useBackend } from '../ml/index.js'

export type CurveImpl = 'js' | 'wasm' | 'ort'

/** Fits y = sin(x·w) on 128 random 16-d inputs with a [16, 64, 64, 1] GELU MLP for `steps` steps. */
export async function lossCurve(impl: CurveImpl, steps = 300): Promise<Float64Array> {
  useBackend(impl === 'js' ? 'js' : 'wasm')
  const rng = new Rng(7)
  const rows = 128
  const x = rng.fillNormal(new Float32Array(rows * 16))
  const w = rng.fillNormal(new Float32Array(16), 0, 0.5)
  const y = Float32Array.from({ length: rows }, (_, r) => Math.sin(x.subarray(r * 16, r * 16 + 16).reduce((a, v, j) => a + v * w[j], 0)))
  const mlp = new Mlp([16, 64, 64, 1], { activation: gelu, rng })
  const opt = new Adamax(mlp.params(), { lr: 3e-3 })
  const grad = new Float32Array(rows)
  const fast = impl === 'ort' ? await compileMlp(mlp, { threads: 1 }) : undefined
  const out = new Float64Array(steps)
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad()
    const pred = fast ? await fast.forward(x, rows) : mlp.forward(x, rows)
    out[s] = mse(pred, y, { grad })
    if (fast) await fast.backward(grad)
    else mlp.backward(grad, { inputGrad: false })
    opt.step()
  }
  await fast?.release()
  return out
}
