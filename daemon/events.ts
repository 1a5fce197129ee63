/**
 * Fan-out of replay progress to server-sent-event subscribers. The replay manager publishes,
 * each SSE connection subscribes to one replay id; nothing is buffered for absent listeners
 * (a late subscriber gets the stored state first, then live events).
 * @module
 */
import { EventEmitter } from 'node:events'
import type { ReplayRecord, WindowSummary } from './types.js'

export type ReplayEvent =
  | { event: 'state'; data: ReplayRecord }
  | { event: 'window'; data: WindowSummary & { windowsDone: number; windowsTotal: number } }
  | { event: 'telemetry'; data: { t: number; values: Record<string, number> } }
  | { event: 'end'; data: ReplayRecord }

/** Generic over the event type so other device work (generator collection jobs) streams the same way. */
export class ReplayEvents<E extends { event: string; data: unknown } = ReplayEvent> {
  readonly #emitter = new EventEmitter()

  constructor() {
    // Every SSE connection adds a listener; dozens of watchers are legitimate.
    this.#emitter.setMaxListeners(0)
  }

  publish(replayId: string, e: E): void {
    this.#emitter.emit(replayId, e)
    this.#emitter.emit('*', e)
  }

  /** Calls `fn` for each event of `replayId` ('*' for all); returns the unsubscribe function. */
  subscribe(replayId: string, fn: (e: E) => void): () => void {
    this.#emitter.on(replayId, fn)
    return () => { this.#emitter.off(replayId, fn) }
  }
}
