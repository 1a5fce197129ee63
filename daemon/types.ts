/**
 * Records the daemon stores and serves. The zod schemas in schemas.ts describe the same shapes
 * for validation and the OpenAPI document; these are the plain types the modules pass around.
 * @module
 */

export type ReplayState = 'scheduled' | 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted'

/** Where a replay's composition came from. */
export type ReplaySource =
  | { kind: 'profile'; name: string }
  | { kind: 'composition'; id: string }
  | { kind: 'inline' }

export interface TimingSummary {
  /** Mean |executed - planned| / W over all (window, thread, stressor) entries so far. */
  meanAbsErrorFraction: number
  /** Largest |actual - planned| window start, in milliseconds. */
  maxStartDriftMs: number
}

export interface ReplayRecord {
  id: string
  source: ReplaySource
  state: ReplayState
  /** Epoch ms. */
  createdAt: number
  /** Epoch ms the first window is planned to start. */
  startAt: number
  startedAt?: number
  endedAt?: number
  repeat: number
  windowMs: number
  threads: number
  /** Windows over all repeats. */
  windowsTotal: number
  windowsDone: number
  timing?: TimingSummary
  /** Why the replay failed, stopped or was interrupted. */
  reason?: string
}

/** One executed window as stored and streamed: per thread, planned vs executed busy time. */
export interface WindowSummary {
  index: number
  /** Milliseconds since the replay's first planned window start. */
  startMs: number
  startDriftMs: number
  plannedMs: number[]
  executedMs: number[]
  /** Mean |executed - planned| / W over this window's entries. */
  meanAbsErrorFraction: number
  ops: number
  bytes: number
}

export interface CompositionEntry {
  id: string
  createdAt: number
  windowMs: number
  threads: number
  windows: number
  stressors: string[]
  composition: unknown
}

export type TraceState = 'recording' | 'completed' | 'interrupted'

export interface TraceMeta {
  id: string
  name: string
  state: TraceState
  periodS: number
  createdAt: number
  endedAt?: number
  /** Stop on its own after this many seconds (absent: until stopped). */
  durationS?: number
  columns: string[]
  rows: number
  /** Units and device fingerprint, as in the telemetry JSON sidecar. */
  sidecar?: unknown
}
