/**
 * Trains MLPs with ONNX Runtime's native kernels: their forward passes and hand-derived backward
 * passes are compiled into two graphs whose weights are graph inputs, fed from the Param buffers
 * on every call, so the optimizer (ml/optim.ts) keeps owning the parameters. Several MLPs (e.g.
 * Pitot's two towers) share one graph pair: one ORT call per direction per step. Same contract as
 * Mlp.forward/backward (gradients accumulate into Param.grad), but asynchronous.
 * @module
 */
import { InvalidInputError } from '../../common/errors.js'
import { identity } from '../activations.js'
import { checkLength } from '../check.js'
import type { Mlp } from '../mlp.js'
import { exportMlpBackward } from './export-backward.js'
import { exportMlp } from './export-layers.js'
import { GraphBuilder } from './graph-builder.js'
import { createSession, type Feed, type Fetched, type OrtBackend, type SessionOptions } from './session.js'

export interface CompileOptions extends SessionOptions {
  /** Also return dx from backward (default false); one flag for all MLPs or one per MLP. */
  inputGrad?: boolean | readonly boolean[]
  /** With inputGrad: first input column whose gradient is wanted (dx is rows×(inDim − from)). */
  inputGradFrom?: number | readonly number[]
}

/** One MLP's batch: `rows` rows of `x`. */
export interface MlpBatch { x: Float32Array; rows: number }

export interface CompiledMlps {
  readonly backend: OrtBackend
  /** One output (rows×outDim, a fresh array) per MLP. */
  forward(batches: readonly MlpBatch[]): Promise<Float32Array[]>
  /** Adds the gradients into every MLP's Param.grad; returns dx per MLP compiled with inputGrad. */
  backward(dOuts: readonly Float32Array[]): Promise<(Float32Array | undefined)[]>
  release(): Promise<void>
}

export interface CompiledMlp {
  readonly backend: OrtBackend
  forward(x: Float32Array, rows: number): Promise<Float32Array>
  backward(dOut: Float32Array): Promise<Float32Array | undefined>
  release(): Promise<void>
}

/** Graph values of MLP m: 'm<m>/x', '/y', '/z<i>' (pre-activation), '/h<i>' (post), '/dy', '/dx'. */
function buildGraphs(mlps: readonly Mlp[], inputGrad: readonly boolean[], from: readonly number[]) {
  const fwd = new GraphBuilder('mlp_forward')
  const bwd = new GraphBuilder('mlp_backward')
  const saved: string[] = [] // forward outputs the backward graph takes as inputs
  mlps.forEach((mlp, m) => {
    const P = `m${m}/`
    const R = `${P}rows` // each MLP has its own batch size
    const L = mlp.layers.length
    const v = exportMlp(fwd, mlp, fwd.input(`${P}x`, [R, mlp.inDim]), { params: 'input' })
    fwd.output(v.output, `${P}y`)
    for (let i = 0; i < L; i++) {
      if (i < L - 1) { fwd.output(v.post[i], `${P}h${i}`); saved.push(`${P}h${i}`) }
      if (mlp.activations[i] !== identity) { fwd.output(v.pre[i], `${P}z${i}`); saved.push(`${P}z${i}`) }
    }
    const x = bwd.input(`${P}x`, [R, mlp.inDim])
    const dy = bwd.input(`${P}dy`, [R, mlp.outDim])
    const y = bwd.input(`${P}y`, [R, mlp.outDim])
    const post = mlp.sizes.slice(1).map((d, i) => (i === L - 1 ? y : bwd.input(`${P}h${i}`, [R, d])))
    const pre = mlp.sizes.slice(1).map((d, i) => (mlp.activations[i] === identity ? post[i] : bwd.input(`${P}z${i}`, [R, d])))
    mlp.layers.forEach((l, i) => { if (i > 0 || inputGrad[m]) bwd.input(l.weight.name, l.weight.shape) })
    const b = exportMlpBackward(bwd, mlp, x, pre, post, dy, { inputGrad: inputGrad[m], inputGradFrom: from[m] })
    for (const [name, value] of b.grads) bwd.output(value, `grad:${name}`)
    if (b.dx) bwd.output(b.dx, `${P}dx`)
  })
  return { fwd: fwd.toBytes(), bwd: bwd.toBytes(), saved }
}

/**
 * Compiles several MLPs into one forward and one backward ORT graph.
 * @throws InvalidInputError if two parameters share a name (give each Mlp its own `name`)
 * @example
 * const towers = await compileMlps([workload, platform])
 * const [w, p] = await towers.forward([{ x: wx, rows: 249 }, { x: px, rows: 231 }])
 * await towers.backward([dw, dp])   // Param.grad of both towers now hold the gradients
 */
export async function compileMlps(mlps: readonly Mlp[], { inputGrad = false, inputGradFrom = 0, ...session }: CompileOptions = {}): Promise<CompiledMlps> {
  const flags = mlps.map((_, i) => (typeof inputGrad === 'boolean' ? inputGrad : inputGrad[i] ?? false))
  const from = mlps.map((m, i) => {
    const f = typeof inputGradFrom === 'number' ? inputGradFrom : inputGradFrom[i] ?? 0
    if (!Number.isInteger(f) || f < 0 || f >= m.inDim) throw new InvalidInputError(`compileMlps: inputGradFrom must be an integer in [0, ${m.inDim}), got ${f}`)
    return f
  })
  const params = mlps.flatMap((m) => m.params())
  const names = new Set(params.map((p) => p.name))
  if (names.size !== params.length) throw new InvalidInputError('compileMlps: parameter names repeat; give each Mlp its own name')
  const { fwd, bwd, saved } = buildGraphs(mlps, flags, from)
  const [fs, bs] = await Promise.all([createSession(fwd, session), createSession(bwd, session)])
  const feedsFor = (inputNames: readonly string[]): Record<string, Feed> => {
    const feeds: Record<string, Feed> = {}
    for (const p of params) if (inputNames.includes(p.name)) feeds[p.name] = { data: p.value, dims: p.shape }
    return feeds
  }
  let last: { feeds: Record<string, Feed>; out: Record<string, Fetched>; rows: number[] } | undefined
  return {
    backend: fs.backend,
    async forward(batches) {
      if (batches.length !== mlps.length) throw new InvalidInputError(`compiled MLPs: ${batches.length} batches for ${mlps.length} MLPs`)
      const feeds = feedsFor(fs.inputNames)
      batches.forEach(({ x, rows }, m) => {
        if (!Number.isInteger(rows) || rows < 1) throw new InvalidInputError(`compiled MLP ${m}: rows must be a positive integer, got ${rows}`)
        checkLength(`compiled MLP ${m} input`, x, rows * mlps[m].inDim)
        feeds[`m${m}/x`] = { data: x.subarray(0, rows * mlps[m].inDim), dims: [rows, mlps[m].inDim] }
      })
      const out = await fs.run(feeds)
      last = { feeds, out, rows: batches.map((b) => b.rows) }
      return mlps.map((_, m) => out[`m${m}/y`].data as Float32Array)
    },
    async backward(dOuts) {
      if (!last) throw new InvalidInputError('compiled MLPs: backward called before forward')
      if (dOuts.length !== mlps.length) throw new InvalidInputError(`compiled MLPs: ${dOuts.length} gradients for ${mlps.length} MLPs`)
      const feeds = feedsFor(bs.inputNames)
      for (const s of saved) feeds[s] = last.out[s]
      dOuts.forEach((d, m) => {
        const n = last!.rows[m] * mlps[m].outDim
        checkLength(`compiled MLP ${m} dOut`, d, n)
        feeds[`m${m}/x`] = last!.feeds[`m${m}/x`]
        feeds[`m${m}/y`] = last!.out[`m${m}/y`]
        feeds[`m${m}/dy`] = { data: d.subarray(0, n), dims: [last!.rows[m], mlps[m].outDim] }
      })
      const res = await bs.run(feeds)
      for (const p of params) {
        const g = res[`grad:${p.name}`].data as Float32Array
        for (let i = 0; i < g.length; i++) p.grad[i] += g[i]
      }
      return mlps.map((_, m) => res[`m${m}/dx`]?.data as Float32Array | undefined)
    },
    release: async () => { await Promise.all([fs.release(), bs.release()]) },
  }
}

/**
 * One MLP on ORT; see {@link compileMlps}.
 * @example
 * const fast = await compileMlp(tower)
 * const emb = await fast.forward(features, 249)
 * await fast.backward(dEmb)   // tower's Param.grad now holds the gradient
 */
export async function compileMlp(mlp: Mlp, opts: CompileOptions = {}): Promise<CompiledMlp> {
  const c = await compileMlps([mlp], opts)
  return {
    backend: c.backend,
    forward: async (x, rows) => (await c.forward([{ x, rows }]))[0],
    backward: async (dOut) => (await c.backward([dOut]))[0],
    release: () => c.release(),
  }
}
