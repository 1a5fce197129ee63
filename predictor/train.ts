/**
 * Training loop: per step the towers embed all entities once, each objective (one per pool)
 * draws a batch, the pinball loss over all heads is back-propagated through the row gathers
 * into the embedding tables and from there once through each tower. Adamax with decoupled
 * weight decay as in the reference; the best validation checkpoint is kept.
 * @module
 */
import { Adamax, pinball, Rng, type Param } from '../ml/index.js'
import { backwardRows, predictRows, type Embeddings } from './heads.js'
import type { PitotModel } from './model.js'
import type { Observations } from './types.js'

/** Row indices of each pool used for one purpose (train or validation). */
export type PoolRows = Int32Array[]

export interface TrainOptions {
  /** Overrides config.steps (e.g. short warm-started updates). */
  steps?: number
  /** Stops early (after a final validation) once training has taken this long. */
  maxSeconds?: number
  /** Constant learning rate instead of the config's schedule (fine-tuning). */
  lr?: number
  /** Overrides config.batch. */
  batch?: number
  onProgress?: (step: number, total: number, valLoss: number) => void
}

export interface TrainResult { steps: number; bestStep: number; bestValLoss: number; seconds: number }

function objectiveWeight(m: PitotModel, arity: number): number {
  return arity === 0 ? m.config.objectiveWeights.isolated : m.config.objectiveWeights.interference
}

function gatherY(obs: Observations, idx: Int32Array): Float64Array {
  const y = new Float64Array(idx.length)
  for (let r = 0; r < idx.length; r++) y[r] = obs.logT[idx[r]]
  return y
}

/** Weighted pinball loss of the model on the given rows of every pool (no gradients). */
export function validationLoss(m: PitotModel, pools: Observations[], rows: PoolRows, e: Embeddings = m.embed()): number {
  let total = 0
  pools.forEach((obs, a) => {
    const idx = rows[a]
    if (!idx || idx.length === 0) return
    const pred = new Float32Array(idx.length * m.dims.heads)
    predictRows(e, m.dims, obs, idx, pred)
    total += pinball(pred, gatherY(obs, idx), m.config.quantiles, { weight: objectiveWeight(m, a) })
  })
  return total
}

/** Trains `m` in place on `train` rows, early-stopping on `val` rows. */
export function train(m: PitotModel, pools: Observations[], trainRows: PoolRows, valRows: PoolRows, opts: TrainOptions = {}): TrainResult {
  const c = m.config, H = m.dims.heads
  const steps = opts.steps ?? c.steps
  const params = m.params()
  const opt = new Adamax(params, { lr: opts.lr ?? c.learningRate, weightDecay: c.weightDecay })
  const rng = new Rng(c.seed + 1)
  const active = pools.map((_, a) => a).filter((a) => trainRows[a]?.length > 0)
  // Epoch-shuffled order per pool: every row is seen once per pass, unlike sampling with replacement.
  const order = active.map((a) => rng.shuffle(Int32Array.from(trainRows[a])))
  const cursor = active.map(() => 0)
  const bufs = active.map((a) => {
    const B = Math.min(opts.batch ?? c.batch, trainRows[a].length)
    return { B, idx: new Int32Array(B), y: new Float64Array(B), pred: new Float32Array(B * H), grad: new Float32Array(B * H), z: new Float32Array(B * H * Math.max(m.dims.types, 1) * 2) }
  })
  const g: Embeddings = {
    work: new Float32Array(m.work.count * m.work.mlp.outDim), plat: new Float32Array(m.plat.count * m.plat.mlp.outDim),
    bx: m.bx.grad, by: m.by.grad,
  }
  const start = performance.now()
  // Step 0 competes too: a warm-started run never returns worse weights than it was given.
  const hasVal = valRows.some((r) => r?.length > 0)
  let best = { step: 0, loss: hasVal ? validationLoss(m, pools, valRows) : Infinity, values: snapshot(params) }
  const deadline = opts.maxSeconds === undefined ? Infinity : start + 1000 * opts.maxSeconds
  let done = 0
  for (let step = 1; step <= steps; step++) {
    done = step
    const last = step === steps || performance.now() > deadline
    opt.zeroGrad()
    g.work.fill(0); g.plat.fill(0)
    const e = m.embed()
    active.forEach((a, s) => {
      const obs = pools[a], b = bufs[s]
      for (let r = 0; r < b.B; r++) {
        if (cursor[s] === order[s].length) { rng.shuffle(order[s]); cursor[s] = 0 }
        b.idx[r] = order[s][cursor[s]++]
        b.y[r] = obs.logT[b.idx[r]]
      }
      predictRows(e, m.dims, obs, b.idx, b.pred, b.z)
      pinball(b.pred, b.y, c.quantiles, { grad: b.grad, weight: objectiveWeight(m, a) })
      backwardRows(e, m.dims, obs, b.idx, b.grad, b.z, g)
    })
    m.work.backward(g.work)
    m.plat.backward(g.plat)
    if (c.schedule === 'cosine' && opts.lr === undefined) opt.lr = c.learningRate * (c.lrFloor + (1 - c.lrFloor) * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / steps)))
    opt.step()
    if (step % c.validateEvery === 0 || last) {
      const loss = validationLoss(m, pools, valRows)
      if (loss < best.loss) best = { step, loss, values: snapshot(params, best.values) }
      opts.onProgress?.(step, steps, loss)
    }
    if (last) break
  }
  // Without validation rows the last step is the result; otherwise the best checkpoint.
  if (hasVal) restore(params, best.values)
  return { steps: done, bestStep: best.step, bestValLoss: best.loss, seconds: (performance.now() - start) / 1000 }
}

function snapshot(params: Param[], into?: Float32Array[]): Float32Array[] {
  return params.map((p, i) => { const v = into?.[i] ?? new Float32Array(p.value.length); v.set(p.value); return v })
}

function restore(params: Param[], values: Float32Array[]): void {
  params.forEach((p, i) => p.value.set(values[i]))
}
