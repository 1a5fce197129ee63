/**
 * Merges independently trained Pitot models (ensemble members) into ONE model whose predictions
 * are the members' mean, exactly. Eq. 9 is bilinear in the embeddings, so concatenating the
 * members' embeddings and scaling one side by 1/K averages the dot products:
 *   mean_m <w_m, p_m> = <[w_1 … w_K], [p_1 … p_K] / K>
 * and each member's interference types become types of the merged model, their Vs scaled by
 * 1/K and their Vg zero outside the member's rank block, so the leaky ReLU still sees each
 * member's own magnitude. The towers merge into block-diagonal MLPs (GELU is elementwise).
 * Everything downstream (calibration, candidate scoring, ONNX export, storage, updates) then
 * runs on a plain PitotModel of rank K·r, K·s types and K·hidden units.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { PitotModel, type Tower } from './model.js'
import type { EntityTable, ModelConfig } from './types.js'

/** The configuration of K merged members of `c` (the shapes the merged model needs). */
export function mergedConfig(c: ModelConfig, K: number): ModelConfig {
  return {
    ...c, members: 1, mergedFrom: K, rank: K * c.rank, hidden: K * c.hidden, interferenceTypes: K * c.interferenceTypes,
    learnedFeatures: K * c.learnedFeatures,
  }
}

/**
 * Where member m's output column `col` goes in the merged tower's last layer, and its scale;
 * columns no member places stay zero.
 */
type Placement = (m: number, col: number) => { col: number; scale: number }

function mergeTower(into: Tower, members: Tower[], place: Placement): void {
  const K = members.length, side = into.sideDim, q = members[0].q
  into.mlp.layers.forEach((layer, l) => {
    const W = layer.weight.value, b = layer.bias?.value
    W.fill(0); b?.fill(0)
    const last = l === into.mlp.layers.length - 1
    members.forEach((t, m) => {
      const src = t.mlp.layers[l], inDim = src.inDim, outDim = src.outDim
      const sw = src.weight.value, sb = src.bias?.value
      for (let o = 0; o < outDim; o++) {
        const dst = last ? place(m, o) : { col: m * outDim + o, scale: 1 }
        if (sb && b) b[dst.col] = dst.scale * sb[o]
        for (let i = 0; i < inDim; i++) {
          // Layer 0 reads the shared side features and the member's own learned features;
          // deeper layers read the member's own block of hidden units.
          const row = l > 0 ? m * inDim + i : i < side ? i : side + m * q + (i - side)
          W[row * layer.outDim + dst.col] = dst.scale * sw[i * outDim + o]
        }
      }
    })
  })
  const L = into.learned.value
  for (let e = 0; e < into.count; e++) members.forEach((t, m) => { for (let f = 0; f < q; f++) L[e * K * q + m * q + f] = t.learned.value[e * q + f] })
}

/** One model predicting, for every row and head, the mean of the members' log predictions. */
export function mergeMembers(members: PitotModel[], platforms: EntityTable, workloads: EntityTable): PitotModel {
  const K = members.length
  if (K === 0) throw new InvalidInputError('an ensemble needs at least one member')
  if (K === 1) return members[0]
  const c = members[0].config, { heads: H, rank: R, types: S } = members[0].dims
  if (members.some((m) => m.config.rank !== R || m.dims.types !== S || m.config.hidden !== c.hidden || m.config.sideInformation !== c.sideInformation)) {
    throw new InvalidInputError('ensemble members must share their shapes')
  }
  const mean = (pick: (m: PitotModel) => Float32Array) => {
    const out = new Float32Array(pick(members[0]).length)
    for (const m of members) pick(m).forEach((v, i) => { out[i] += v / K })
    return out
  }
  const merged = new PitotModel(mergedConfig(c, K), platforms, workloads, members[0].scalers, { platform: mean((m) => m.bx.value), workload: mean((m) => m.by.value), iterations: 0 })
  const RK = K * R, SK = K * S
  // Workload embedding of head h: [w_1 … w_K] per head.
  mergeTower(merged.work, members.map((m) => m.work), (m, col) => ({ col: Math.floor(col / R) * RK + m * R + (col % R), scale: 1 }))
  // Platform row [p | Vs (S×R) | Vg (S×R)] → [p' | Vs' (SK×RK) | Vg' (SK×RK)].
  mergeTower(merged.plat, members.map((m) => m.plat), (m, col) => {
    if (col < R) return { col: m * R + col, scale: 1 / K }
    const rest = col - R, vg = rest >= S * R ? 1 : 0, t = Math.floor((rest - vg * S * R) / R), q = rest % R
    return { col: RK + vg * SK * RK + (m * S + t) * RK + m * R + q, scale: vg ? 1 : 1 / K }
  })
  return merged
}
