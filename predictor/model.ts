/**
 * The Pitot network: two towers (workload, platform) map [standardised side information ‖ q
 * learned features] to embeddings for ALL entities at once, then {@link predictRows} gathers
 * them per row. The log-residual baseline is a pair of parameters fine-tuned with the rest.
 * @module
 */
import { createParam, gelu, Mlp, Rng, type Param } from '../ml/index.js'
import { platformWidth, predictRows, type Embeddings, type HeadDims } from './heads.js'
import type { Baseline } from './baseline.js'
import type { EntityTable, ModelConfig, Observations } from './types.js'

/** Column-wise standardisation of a feature table (constant columns map to 0). */
export interface Standardizer { mean: Float32Array; std: Float32Array }

export function fitStandardizer(t: EntityTable): Standardizer {
  const mean = new Float32Array(t.dim), std = new Float32Array(t.dim)
  for (let f = 0; f < t.dim; f++) {
    let s = 0, s2 = 0
    for (let e = 0; e < t.count; e++) { const v = t.features[e * t.dim + f]; s += v; s2 += v * v }
    const m = s / t.count
    mean[f] = m
    std[f] = Math.sqrt(Math.max(s2 / t.count - m * m, 0)) || 1
  }
  return { mean, std }
}

/** One tower with its entities' fixed inputs and learned features. */
export class Tower {
  readonly mlp: Mlp
  /** Learned per-entity features φ [count × q]. */
  readonly learned: Param
  /** Input rows [count × (dim' + q)]; the side-information part is filled once. */
  readonly input: Float32Array
  readonly inDim: number

  constructor(name: string, readonly count: number, readonly side: Float32Array | null, readonly sideDim: number,
    readonly q: number, hidden: number, out: number, rng: Rng) {
    this.inDim = sideDim + q
    this.mlp = new Mlp([this.inDim, hidden, hidden, out], { name, activation: gelu, rng })
    this.learned = createParam(`${name}.learned`, [count, q])
    rng.fillUniform(this.learned.value, 0, 1)
    this.input = new Float32Array(count * this.inDim)
    for (let e = 0; e < count; e++) {
      if (side) this.input.set(side.subarray(e * sideDim, (e + 1) * sideDim), e * this.inDim)
    }
  }

  params(): Param[] { return [...this.mlp.params(), this.learned] }

  /** Embeddings of every entity [count × out] (a view reused by the next call). */
  forward(): Float32Array {
    const { input, inDim, sideDim, q, learned } = this
    for (let e = 0; e < this.count; e++) for (let f = 0; f < q; f++) input[e * inDim + sideDim + f] = learned.value[e * q + f]
    return this.mlp.forward(input, this.count)
  }

  /** Back-propagates d(embeddings) into the tower weights and the learned features. */
  backward(dOut: Float32Array): void {
    const dx = this.mlp.backward(dOut)!
    const { inDim, sideDim, q, learned } = this
    for (let e = 0; e < this.count; e++) for (let f = 0; f < q; f++) learned.grad[e * q + f] += dx[e * inDim + sideDim + f]
  }
}

/** Standardises `t` and returns its [count × dim] feature block. */
export function standardize(t: EntityTable, s: Standardizer): Float32Array {
  const out = new Float32Array(t.count * t.dim)
  for (let e = 0; e < t.count; e++) for (let f = 0; f < t.dim; f++) {
    out[e * t.dim + f] = (t.features[e * t.dim + f] - s.mean[f]) / s.std[f]
  }
  return out
}

export class PitotModel {
  readonly work: Tower
  readonly plat: Tower
  readonly bx: Param
  readonly by: Param
  readonly dims: HeadDims

  constructor(readonly config: ModelConfig, platforms: EntityTable, workloads: EntityTable,
    readonly scalers: { platform: Standardizer; workload: Standardizer }, baseline: Baseline) {
    const c = config, rng = new Rng(c.seed)
    this.dims = { heads: c.quantiles.length, rank: c.rank, types: c.interference ? c.interferenceTypes : 0, slope: c.leakySlope }
    // Without side information the towers see only learned features, so they get rank-many.
    const q = c.sideInformation ? c.learnedFeatures : c.rank
    const side = (t: EntityTable, s: Standardizer) => (c.sideInformation ? standardize(t, s) : null)
    const dim = (t: EntityTable) => (c.sideInformation ? t.dim : 0)
    this.work = new Tower('workload', workloads.count, side(workloads, scalers.workload), dim(workloads), q, c.hidden, this.dims.heads * c.rank, rng)
    this.plat = new Tower('platform', platforms.count, side(platforms, scalers.platform), dim(platforms), q, c.hidden, platformWidth(this.dims), rng)
    this.bx = createParam('baseline.platform', [platforms.count])
    this.by = createParam('baseline.workload', [workloads.count])
    this.bx.value.set(baseline.platform)
    this.by.value.set(baseline.workload)
  }

  params(): Param[] { return [...this.work.params(), ...this.plat.params(), this.bx, this.by] }

  /** Runs both towers; the returned tables stay valid until the next call. */
  embed(): Embeddings {
    return { work: this.work.forward(), plat: this.plat.forward(), bx: this.bx.value, by: this.by.value }
  }

  /** Every head's log prediction for rows `idx` of `obs` ([rows × heads]). */
  predict(obs: Observations, idx?: ArrayLike<number>, e: Embeddings = this.embed()): Float32Array {
    const rows = idx ?? Int32Array.from({ length: obs.logT.length }, (_, r) => r)
    const out = new Float32Array(rows.length * this.dims.heads)
    predictRows(e, this.dims, obs, rows, out)
    return out
  }
}
