/**
 * One replicate of the evaluation protocol as a plain job (so it can run in a worker thread):
 * split the rows, fit a variant, score the test rows per pool. Variants are the method and its
 * ablations; naive CQR reuses the method's network and only changes the calibration.
 * The `cold` variant holds out whole platforms and workloads and scores rows that touch them
 * (its training seconds include the cold probe's).
 * @module
 */
import { Rng } from '../ml/index.js'
import { loadDataset } from './data.js'
import { evaluatePools } from './evaluate.js'
import { calibratePools, fitPredictor } from './fit.js'
import type { PoolMetrics } from './metrics.js'
import { splitRows } from './split.js'
import { DEFAULT_CONFIG, type Dataset, type ModelConfig, type Observations } from './types.js'

export type Variant = 'pitot' | 'no_interference' | 'no_side_information' | 'cold'

export interface Job {
  data: string
  split: number
  replicate: number
  variant: Variant
  config?: Partial<ModelConfig>
}

export type PoolsMetrics = Record<string, PoolMetrics>

export interface JobResult {
  job: Job
  /** Keyed by result name: the variant, plus 'naive_cqr' for the pitot variant. */
  results: Record<string, PoolsMetrics>
  trainSeconds: number
  bestStep: number
}

/** Resolved configuration of a variant. */
export function variantConfig(v: Variant, overrides: Partial<ModelConfig> = {}, seed = 0): ModelConfig {
  const c = { ...DEFAULT_CONFIG, ...overrides, seed }
  if (v === 'no_interference') c.interference = false
  if (v === 'no_side_information') c.sideInformation = false
  // Only the cold variant scores never-seen entities; the others skip the cold probe's training.
  if (v !== 'cold' && overrides.coldShare === undefined) c.coldShare = 0
  return c
}

/** Holds out ~`share` of platforms and workloads: their rows leave train/val; test keeps only rows that touch them. */
function coldSplit(ds: Dataset, split: { train: Int32Array[]; val: Int32Array[]; test: Int32Array[] }, seed: number, share = 0.1) {
  const rng = new Rng(seed + 7919)
  const hp = new Uint8Array(ds.platforms.count), hw = new Uint8Array(ds.workloads.count)
  rng.permutation(hp.length).subarray(0, Math.round(share * hp.length)).forEach((e) => { hp[e] = 1 })
  rng.permutation(hw.length).subarray(0, Math.round(share * hw.length)).forEach((e) => { hw[e] = 1 })
  const touches = (obs: Observations, r: number, kind: 'platform' | 'workload'): boolean => {
    if (kind === 'platform') return hp[obs.platform[r]] === 1
    if (hw[obs.workload[r]]) return true
    for (let k = 0; k < obs.arity; k++) if (hw[obs.corunners[r * obs.arity + k]]) return true
    return false
  }
  const keep = (rows: Int32Array[], want: (obs: Observations, r: number) => boolean) =>
    rows.map((idx, a) => idx.filter((r) => want(ds.pools[a], r)))
  const seen = (o: Observations, r: number) => !touches(o, r, 'platform') && !touches(o, r, 'workload')
  return {
    train: keep(split.train, seen), val: keep(split.val, seen),
    platform: keep(split.test, (o, r) => touches(o, r, 'platform') && !touches(o, r, 'workload')),
    workload: keep(split.test, (o, r) => touches(o, r, 'workload') && !touches(o, r, 'platform')),
    both: keep(split.test, (o, r) => touches(o, r, 'workload') && touches(o, r, 'platform')),
  }
}

export function runJob(job: Job, ds: Dataset = loadDataset(job.data)): JobResult {
  const seed = 1000 * job.replicate + Math.round(100 * job.split)
  const split = splitRows(ds.pools, job.split, seed)
  const config = variantConfig(job.variant, job.config, seed)
  if (job.variant === 'cold') {
    const c = coldSplit(ds, split, seed)
    const f = fitPredictor(ds, c.train, c.val, config)
    return {
      job, trainSeconds: f.training.seconds + (f.probeTraining?.seconds ?? 0), bestStep: f.training.bestStep,
      results: {
        unseen_platform: evaluatePools(f.model, f.calibration, ds.pools, c.platform, f.coldStart),
        unseen_workload: evaluatePools(f.model, f.calibration, ds.pools, c.workload, f.coldStart),
        unseen_both: evaluatePools(f.model, f.calibration, ds.pools, c.both, f.coldStart),
      },
    }
  }
  const f = fitPredictor(ds, split.train, split.val, config)
  const results: Record<string, PoolsMetrics> = { [job.variant]: evaluatePools(f.model, f.calibration, ds.pools, split.test) }
  if (job.variant === 'pitot') {
    results.naive_cqr = evaluatePools(f.model, calibratePools(f.model, ds.pools, split.val, f.eps, true), ds.pools, split.test)
  }
  return { job, results, trainSeconds: f.training.seconds, bestStep: f.training.bestStep }
}
