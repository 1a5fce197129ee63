/**
 * The daemon's CPU priority model (Config.workerPriority). Stressors exist to compete with the
 * workloads beside them, so by default they run at the normal level and the daemon instead
 * raises its own API thread (Linux nice values are per thread): the API stays responsive without
 * taking CPU-time contention away from the emulated neighbours. Where raising is refused (no
 * CAP_SYS_NICE, no systemd Nice=), 'auto' falls back to low-priority stressors.
 * @module
 */
import type { Config } from '../common/config.js'
import { setCurrentThreadPriority } from '../native/index.js'

/** Measured in native/README.md (bench:priority): p99 back under 20 ms with workers at nice 0. */
export const API_NICE = -10

export interface PriorityState {
  /** The API (main) thread runs at API_NICE. */
  apiRaised: boolean
}

/** Raises the calling (main) thread; call once at start, before any worker thread exists. */
export function raiseApiThread(mode: Config['workerPriority']): PriorityState {
  return { apiRaised: mode !== 'low' && setCurrentThreadPriority(API_NICE, 'nice') }
}

/** Whether stressor workers step down to SCHED_IDLE + nice 19 for the next replay. */
export function stressorsRunLow(mode: Config['workerPriority'], state: PriorityState): boolean {
  return mode === 'low' || (mode === 'auto' && !state.apiRaised)
}
