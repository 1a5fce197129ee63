/**
 * Trains an Mlp with ONNX Runtime's native kernels: its forward pass and hand-derived backward
 * pass are compiled into two graphs whose weights are graph inputs, fed from the Param buffers on
 * every call, so the optimizer (ml/optim.ts) keeps owning the parameters. Same contract as
 * Mlp.forward/backward (gradients accumulate into Param.grad), but asynchronous.
 * @module
 */
import { identity } from '../activations.js'
import { checkLength } from '../check.js'
import type { Mlp } from '../mlp.js'
import { InvalidInputError } from '../../common/errors.js'
import { exportMlpBackward } from './export-backward.js'
import { exportMlp } from './export-layers.js'
import { GraphBuilder } from './graph-builder.js'
import { createSession, type Feed, type Fetched, type OrtBackend, type Session, type SessionOptions } from './session.js'

export interface CompileOptions extends SessionOptions {
  /** Also return dx from backward (default false). */
  inputGrad?: boolean
}

export interface CompiledMlp {
  readonly backend: OrtBackend
  /** out[rows×outDim]: a fresh array per call. */
  forward(x: Float32Array, rows: number): Promise<Float32Array>
  /** Adds this batch's gradients into the Mlp's Param.grad; returns dx if compiled with inputGrad. */
  backward(dOut: Float32Array): Promise<Float32Array | undefined>
  release(): Promise<void>
}

/** Graph value names shared by the two graphs: 'x', 'y', 'z<i>' (pre-activation), 'h<i>' (post). */
function buildGraphs(mlp: Mlp, inputGrad: boolean) {
  const L = mlp.layers.length
  const fwd = new GraphBuilder('mlp_forward')
  const v = exportMlp(fwd, mlp, fwd.input('x', ['rows', mlp.inDim]), { params: 'input' })
  const saved: string[] = [] // forward values the backward graph needs, in graph naming
  fwd.output(v.output, 'y')
  for (let i = 0; i < L; i++) {
    if (i < L - 1) { fwd.output(v.post[i], `h${i}`); saved.push(`h${i}`) }
    if (mlp.activations[i] !== identity) { fwd.output(v.pre[i], `z${i}`); saved.push(`z${i}`) }
  }
  const bwd = new GraphBuilder('mlp_backward')
  const x = bwd.input('x', ['rows', mlp.inDim])
  const dy = bwd.input('dy', ['rows', mlp.outDim])
  const y = bwd.input('y', ['rows', mlp.outDim])
  const post = mlp.sizes.slice(1).map((d, i) => (i === L - 1 ? y : bwd.input(`h${i}`, ['rows', d])))
  const pre = mlp.sizes.slice(1).map((d, i) => (mlp.activations[i] === identity ? post[i] : bwd.input(`z${i}`, ['rows', d])))
  mlp.layers.forEach((l, i) => { if (i > 0 || inputGrad) bwd.input(l.weight.name, l.weight.shape) })
  const b = exportMlpBackward(bwd, mlp, x, pre, post, dy, { inputGrad })
  for (const [name, value] of b.grads) bwd.output(value, `grad:${name}`)
  if (b.dx) bwd.output(b.dx, 'dx')
  return { fwd: fwd.toBytes(), bwd: bwd.toBytes(), saved }
}

/**
 * @example
 * const fast = await compileMlp(tower)
 * const emb = await fast.forward(features, 249)
 * await fast.backward(dEmb)   // tower's Param.grad now holds the gradient
 * opt.step()
 */
export async function compileMlp(mlp: Mlp, { inputGrad = false, ...session }: CompileOptions = {}): Promise<CompiledMlp> {
  const { fwd, bwd, saved } = buildGraphs(mlp, inputGrad)
  const [fs, bs]: Session[] = await Promise.all([createSession(fwd, session), createSession(bwd, session)])
  const params = mlp.params()
  const paramFeeds = (names: readonly string[]): Record<string, Feed> => {
    const feeds: Record<string, Feed> = {}
    for (const p of params) if (names.includes(p.name)) feeds[p.name] = { data: p.value, dims: p.shape }
    return feeds
  }
  let last: { x: Feed; out: Record<string, Fetched>; rows: number } | undefined
  return {
    backend: fs.backend,
    async forward(x, rows) {
      if (!Number.isInteger(rows) || rows < 1) throw new InvalidInputError(`compiled Mlp: rows must be a positive integer, got ${rows}`)
      checkLength('compiled Mlp input', x, rows * mlp.inDim)
      const xf = { data: x.subarray(0, rows * mlp.inDim), dims: [rows, mlp.inDim] }
      const out = await fs.run({ x: xf, ...paramFeeds(fs.inputNames) })
      last = { x: xf, out, rows }
      return out.y.data as Float32Array
    },
    async backward(dOut) {
      if (!last) throw new InvalidInputError('compiled Mlp: backward called before forward')
      checkLength('compiled Mlp dOut', dOut, last.rows * mlp.outDim)
      const feeds: Record<string, Feed> = {
        ...paramFeeds(bs.inputNames), x: last.x, y: last.out.y,
        dy: { data: dOut.subarray(0, last.rows * mlp.outDim), dims: [last.rows, mlp.outDim] },
      }
      for (const s of saved) feeds[s] = last.out[s]
      const res = await bs.run(feeds)
      for (const p of params) {
        const g = res[`grad:${p.name}`].data as Float32Array
        for (let i = 0; i < g.length; i++) p.grad[i] += g[i]
      }
      return res.dx?.data as Float32Array | undefined
    },
    async release() { await Promise.all([fs.release(), bs.release()]) },
  }
}
