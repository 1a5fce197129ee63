/**
 * Learning from new observations without retraining from scratch: new rows are split into
 * train and calibration parts, training continues from the current weights on the stored plus
 * new train rows (new rows oversampled so a short update still moves the model), and the
 * calibration is recomputed on the stored plus new calibration rows, so coverage keeps holding.
 * Entities that appear in the new train rows count as trained on from then on; cold-start
 * margins stay those of the fit's cold probe.
 * @module
 */
import { Rng } from '../ml/index.js'
import { concatObservations, emptyObservations } from './data.js'
import { InvalidInputError } from '../common/errors.js'
import { calibratePools, knownRows, seenEntities } from './fit.js'
import type { Predictor } from './predictor.js'
import { selectRows } from './split.js'
import { saveModel } from './store.js'
import { train, type TrainResult } from './train.js'
import type { Observations } from './types.js'

export interface UpdateOptions {
  /** Share of the new rows kept for calibration. */
  calShare?: number
  steps?: number
  /** Wall-clock cap of the training part. */
  maxSeconds?: number
  /** Target share of each batch drawn from new rows. */
  newShare?: number
  seed?: number
  /** Write the updated model back to its directory. */
  save?: boolean
  /** Constant fine-tuning learning rate (a tenth of training's peak: new Adamax moments start cold). */
  lr?: number
  batch?: number
}

export interface UpdateResult { training: TrainResult; newRows: number; seconds: number }

/** Index list of `n` old rows followed by the new rows repeated so they make up ~`share`. */
function oversampled(nOld: number, nNew: number, share: number): Int32Array {
  const reps = nNew === 0 ? 0 : Math.max(1, Math.round((share * nOld) / ((1 - share) * nNew)))
  const out = new Int32Array(nOld + reps * nNew)
  for (let r = 0; r < nOld; r++) out[r] = r
  for (let k = 0; k < reps; k++) for (let r = 0; r < nNew; r++) out[nOld + k * nNew + r] = nOld + r
  return out
}

/**
 * The model's tables end at the entities it was built with; one added later by its features
 * alone (Predictor.platform/workload) has no weights to train, so its rows cannot be learned.
 */
function checkKnownIndices(fresh: Observations[], platforms: number, workloads: number): void {
  for (const obs of fresh) {
    if (!obs) continue
    const bad = (v: Int32Array, max: number) => v.findIndex((i) => i >= max)
    const p = bad(obs.platform, platforms), w = bad(obs.workload, workloads), k = bad(obs.corunners, workloads)
    if (p >= 0) throw new InvalidInputError(`update: platform ${obs.platform[p]} was added by its features only; the model cannot learn it without retraining (valid 0..${platforms - 1})`)
    if (w >= 0 || k >= 0) throw new InvalidInputError(`update: workload ${w >= 0 ? obs.workload[w] : obs.corunners[k]} was added by its features only; the model cannot learn it without retraining (valid 0..${workloads - 1})`)
  }
}

/** Warm-started update of a loaded predictor with new observation pools (indexed by arity). */
export function updatePredictor(p: Predictor, fresh: Observations[], opts: UpdateOptions = {}): UpdateResult {
  const { calShare = 0.3, steps = 60, maxSeconds = 3, newShare = 0.3, seed = 1, save = false, lr = 4e-4, batch = 512 } = opts
  const start = performance.now()
  const s = p.stored, m = s.model
  checkKnownIndices(fresh, m.bx.value.length, m.by.value.length)
  const stored = p.storedRows()
  const arities = Math.max(stored.train.length, stored.cal.length, fresh.length)
  const rng = new Rng(seed)
  const trainPools: Observations[] = [], calPools: Observations[] = [], trainIdx: Int32Array[] = []
  let newRows = 0
  for (let a = 0; a < arities; a++) {
    const f = fresh[a] ?? emptyObservations(a)
    newRows += f.logT.length
    const perm = rng.permutation(f.logT.length)
    const nCal = Math.round(calShare * perm.length)
    const oldTrain = stored.train[a] ?? emptyObservations(a)
    trainPools[a] = concatObservations(oldTrain, selectRows(f, perm.subarray(nCal)))
    calPools[a] = concatObservations(stored.cal[a] ?? emptyObservations(a), selectRows(f, perm.subarray(0, nCal)))
    trainIdx[a] = oversampled(oldTrain.logT.length, perm.length - nCal, newShare)
  }
  const allCal = calPools.map((o) => Int32Array.from({ length: o.logT.length }, (_, r) => r))
  const training = train(m, trainPools, trainIdx, allCal, { steps, maxSeconds, lr, batch })
  // Entities the new train rows cover are now trained on: their rows leave the cold pools, whose
  // margins (from the fit's cold probe) stay as they were.
  const seen = seenEntities(trainPools, [trainPools.map((o) => Int32Array.from({ length: o.logT.length }, (_, r) => r))], m.bx.value.length, m.by.value.length)
  s.coldStart = { ...s.coldStart, seenPlatforms: Array.from(seen.platform), seenWorkloads: Array.from(seen.workload) }
  s.calibration = calibratePools(m, calPools, knownRows(calPools, allCal, seen), s.eps)
  p.refreshEmbeddings()
  const rows = { train: trainPools, cal: calPools, cold: stored.cold }
  p.setStoredRows(rows)
  if (save && p.dir) saveModel(p.dir, s, rows)
  return { training, newRows, seconds: (performance.now() - start) / 1000 }
}
