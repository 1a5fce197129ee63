/**
 * Messages between the executor (main thread) and its stressor workers. The abort flag and
 * its wake-ups go through a shared Int32Array so that a sleeping or busy worker sees them
 * within one kernel chunk, without waiting for its message queue.
 * @module
 */
import type { KernelName } from './catalog.js'

/** Slot of the shared control array that holds the abort flag (1 = stop). */
export const CTRL_ABORT = 0

/** A stressor as a worker needs it: kernel, complete parameters and its buffer's offset. */
export interface WorkerStressor {
  index: number
  name: string
  kernel: KernelName
  params: Record<string, number>
  /** Offset of its buffer from the worker's heap base (absent: no buffer). */
  offset?: number
  /** Its working set (StressorSpec.workingSetBytes). */
  bytes: number
}

export type ToWorker =
  | { type: 'init', thread: number, ctrl: SharedArrayBuffer, pin: boolean, lowPriority: boolean }
  | {
    type: 'prepare', memoryBytes: number, stressors: WorkerStressor[],
    /** This thread's fractions: [window][stressor]. */
    fractions: number[][], windowMs: number, diskFile?: { path: string, bytes: number },
  }
  | { type: 'run', anchorMs: number, first: number, count: number }
  | { type: 'release' }

export interface ThreadEntry { stressor: number, startMs: number, plannedMs: number, executedMs: number, ops: number, bytes: number }

export type FromWorker =
  | { type: 'ready', pinned: boolean, lowPriority: boolean, native: string }
  | { type: 'prepared' }
  | { type: 'window', index: number, actualStartMs: number, entries: ThreadEntry[] }
  | { type: 'done', aborted: boolean }
  | { type: 'error', message: string, code?: string }
