/**
 * What the daemon needs from the stressor runtime, as one small interface; `stressorEngine()`
 * (engine-stressors.ts) adapts stressors-wasm to it. The replay manager only sees this, which
 * keeps the daemon's state machine independent of how windows are executed.
 * @module
 */
import type { Caps } from '../common/config.js'
import type { TimingSummary, WindowSummary } from './types.js'

/** The facts about a composition the daemon stores and shows. */
export interface CompositionShape {
  windowMs: number
  threads: number
  windows: number
  stressors: string[]
}

export interface EngineRunOptions {
  signal: AbortSignal
  caps: Caps
  /** Times the composition is played back to back (>= 1). */
  repeat: number
  /** Epoch ms of the first window's start (the engine waits until then). */
  startAt: number
  onWindow(w: WindowSummary): void
}

export interface ReplayEngine<C = unknown> {
  /** The stressor catalog as JSON (names, families, parameters with defaults and ranges). */
  catalog(): unknown[]
  /**
   * Validates an untrusted composition.
   * @throws InvalidInputError naming the problem.
   */
  parse(input: unknown): C
  shape(comp: C): CompositionShape
  /**
   * Checks a composition, played `repeat` times, against the device caps before anything runs.
   * @throws CapExceededError naming the cap.
   */
  checkCaps(comp: C, caps: Caps, repeat?: number): void
  /**
   * Plays the composition; resolves once it ends or the signal aborts (stressors stopped), with
   * the timing over all windows, or undefined when there is no final report (aborted before
   * the first window, or terminated after a grace period). Rejects if the runtime fails.
   */
  run(comp: C, opts: EngineRunOptions): Promise<TimingSummary | undefined>
}
