/**
 * The interference-aware runtime predictor (Pitot, Huang et al., MLSys 2025): a log-residual
 * baseline plus two-tower matrix factorisation with an interference term, quantile heads and
 * conformal bounds per number of co-runners. The orchestrator uses {@link loadPredictor}.
 * @module
 */
export { loadDataset, loadPools, loadEntities, loadObservations } from './data.js'
export { fitBaseline, type Baseline } from './baseline.js'
export { PitotModel } from './model.js'
export { train, type TrainOptions, type TrainResult } from './train.js'
export { fitPredictor, calibratePools, EPS, type Fitted } from './fit.js'
export { evaluatePools } from './evaluate.js'
export { conformalMargin, calibrate, type Calibration } from './conformal.js'
export { splitRows, selectRows } from './split.js'
export { Predictor, loadPredictor, type EntityRef, type PredictRow, type Scores } from './predictor.js'
export { updatePredictor, type UpdateOptions, type UpdateResult } from './update.js'
export { saveModel, loadModel } from './store.js'
export { exportOnnx, onnxBytes } from './onnx-export.js'
export { trainModel, testModel } from './commands.js'
export { runJob, variantConfig, type Job, type JobResult, type Variant } from './protocol.js'
export { runJobs } from './eval-runner.js'
export { aggregate, formatTable, PUBLISHED } from './report.js'
export { DEFAULT_CONFIG, REFERENCE_CONFIG, type ModelConfig, type Dataset, type Observations, type EntityTable } from './types.js'
