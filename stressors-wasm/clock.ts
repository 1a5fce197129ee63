/**
 * The one clock of a replay: CLOCK_MONOTONIC through process.hrtime, which every thread of the
 * process shares (performance.now() has a per-thread origin), in milliseconds.
 * @module
 */

/** Monotonic time in milliseconds, comparable across worker threads. */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}
