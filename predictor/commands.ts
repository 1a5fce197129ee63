/**
 * The train and test workflows behind the CLI: train on every row of a directory (a fixed share
 * held out for early stopping and calibration) and save a model directory; score a saved model
 * on every row of another directory in the same index space.
 * @module
 */
import { join } from 'node:path'
import { writeChart } from '../common/plot.js'
import { boundsChart } from './plot.js'
import { loadDataset, loadPools } from './data.js'
import { evaluatePools } from './evaluate.js'
import { coldMetadata, fitPredictor } from './fit.js'
import { exportOnnx } from './onnx-export.js'
import type { PoolMetrics } from './metrics.js'
import { splitRows, selectRows } from './split.js'
import { loadModel, saveModel } from './store.js'
import { DEFAULT_CONFIG, type ModelConfig } from './types.js'

export interface TrainModelOptions {
  config?: Partial<ModelConfig>
  /** Share of rows held out for early stopping and calibration. */
  valShare?: number
  onProgress?: (step: number, total: number, valLoss: number) => void
}

export interface TrainModelResult { seconds: number; bestStep: number; steps: number; rows: number[]; files: string[] }

/** Trains on all rows of `dataDir` and writes `outDir` (params, model.json, model.onnx, rows/). */
export function trainModel(dataDir: string, outDir: string, { config = {}, valShare = 0.2, onProgress }: TrainModelOptions = {}): TrainModelResult {
  const ds = loadDataset(dataDir)
  const cfg = { ...DEFAULT_CONFIG, ...config }
  // A split of everything: fraction 1 with the validation share as the only held-out part.
  const split = splitRows(ds.pools, 1, cfg.seed, valShare)
  const f = fitPredictor(ds, split.train, split.val, cfg, { onProgress, threads: true })
  const rows = ds.pools.map((p) => p.logT.length)
  saveModel(outDir, {
    model: f.model, platforms: ds.platforms, workloads: ds.workloads, eps: f.eps, calibration: f.calibration, coldStart: f.coldStart,
    info: { data: dataDir, rows, trainSeconds: f.training.seconds, bestStep: f.training.bestStep, steps: f.training.steps },
  }, { train: ds.pools.map((o, a) => selectRows(o, split.train[a])), cal: ds.pools.map((o, a) => selectRows(o, split.val[a])), cold: f.coldRows })
  exportOnnx(f.model, join(outDir, 'model.onnx'), { calibration: JSON.stringify(f.calibration), eps: JSON.stringify(f.eps), ...coldMetadata(f.coldStart) })
  return {
    seconds: f.training.seconds, bestStep: f.training.bestStep, steps: f.training.steps, rows,
    files: ['params.safetensors', 'model.json', 'model.onnx', 'rows/'].map((x) => join(outDir, x)),
  }
}

/**
 * Scores a saved model on all rows of `dataDir` (observation files only; features come from the
 * model). With `plot` (.svg or .png) also draws the bounds plot of those rows.
 */
export function testModel(modelDir: string, dataDir: string, plot?: string): { pools: Record<string, PoolMetrics> } {
  const s = loadModel(modelDir)
  const pools = loadPools(dataDir, s.platforms.count, s.workloads.count)
  const all = pools.map((o) => Int32Array.from({ length: o.logT.length }, (_, r) => r))
  if (plot) writeChart(boundsChart(s.model, s.calibration, pools, all), plot)
  return { pools: evaluatePools(s.model, s.calibration, pools, all, s.coldStart) }
}
