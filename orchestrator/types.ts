/**
 * Records that cross the orchestrator's module boundaries.
 * @module
 */

/** Candidate rows to score, in a columnar layout so 10,000 devices score without allocation. */
export interface ScoreRows {
  n: number
  platform: Int32Array
  workload: Int32Array
  /** Row r's co-runners are corunners[offsets[r] .. offsets[r+1]). Length n + 1. */
  offsets: Int32Array
  corunners: Int32Array
}

export interface Scores {
  /** Point prediction of the runtime, ms. */
  runtimeMs: Float64Array
  /** Upper bound that holds with probability >= 1 - eps, ms. */
  boundMs: Float64Array
}

/** One observed run: what ran where, next to what, and how long it took. */
export interface Observation {
  platform: number
  workload: number
  corunners: number[]
  runtimeMs: number
}

/**
 * What placement needs from a runtime predictor (predictor/ adapts to it; OnlineModel is the
 * built-in learner). Entities are small integers handed out by the model.
 */
export interface RuntimeModel {
  /** Index of a platform (device), registering it from its features when new. */
  platformId(key: string, features?: ArrayLike<number>): number
  /** Index of a workload, registering it from its opcode features when new. */
  workloadId(key: string, features?: ArrayLike<number>): number
  /** Attaches opcode features that arrived after registration (profiling runs in the background). */
  workloadFeatures(id: number, features: ArrayLike<number>): void
  score(rows: ScoreRows, eps: number): Scores
  /** Learns from new observations (warm start) and refreshes calibration. */
  observe(obs: Observation[]): void
  /** True when a new workload must come with its opcode features (the orchestrator profiles first). */
  readonly needsFeatures?: boolean
  /** Whether bounds at `eps` for `arity` co-runners come from enough calibration rows. */
  calibrated(arity: number, eps: number): boolean
}

/** A workload running on a device, as placement sees it. */
export interface Running {
  placementId: string
  workload: number
  /** Epoch ms when it started (or was dispatched). */
  startedAt: number
  /** Epoch ms by which it must finish. */
  deadlineAt: number
  eps: number
}

/** A device as placement sees it. */
export interface DeviceView {
  id: string
  platform: number
  live: boolean
  running: Running[]
}

/** The placement's account of one device. */
export interface Candidate {
  device: string
  feasible: boolean
  predictedMs: number
  boundMs: number
  /** Deadline minus bound for the new workload, ms (the fit: smaller is tighter). */
  slackMs: number
  /** Co-runners' bounds with the new workload added, and whether each still meets its deadline. */
  corunners: Array<{ placementId: string; boundMs: number; slowdown: number; meetsDeadline: boolean }>
  reason?: string
}

export interface Decision {
  placed: boolean
  device?: string
  /** The chosen candidate first, then the closest feasible/infeasible others (at most `explain`). */
  candidates: Candidate[]
  considered: number
  feasibleCount: number
  reason?: string
  calibrated: boolean
  elapsedMs: number
}
