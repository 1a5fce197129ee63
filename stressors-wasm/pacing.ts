/**
 * Waiting and deadline-bounded running inside a stressor worker. Sleeps use Atomics.wait on the
 * shared control word, so an abort wakes them at once; the last fraction of a millisecond is
 * spun because futex wake-ups land 50-100 µs late.
 * @module
 */
import { monoMs } from './clock.js'
import type { Driver } from './drivers.js'
import { CTRL_ABORT } from './protocol.js'

/** Below this much remaining time the wait spins instead of sleeping. */
const SPIN_MS = 0.2

/** Waits until monotonic time `target`; false when aborted first. */
export function sleepUntil(ctrl: Int32Array, target: number): boolean {
  for (;;) {
    if (Atomics.load(ctrl, CTRL_ABORT) !== 0) return false
    const rem = target - monoMs()
    if (rem <= 0) return true
    if (rem > SPIN_MS) Atomics.wait(ctrl, CTRL_ABORT, 0, rem - SPIN_MS)
  }
}

/** A driver with its running estimate of the time one unit takes. */
export interface MeteredDriver extends Driver { msPerUnit: number }

/**
 * Runs a driver until `deadline`: chunks of about `chunkMs`, the last one sized to the time
 * left, stopping when less than half a unit remains. The per-unit estimate follows the kernel's
 * real speed (which changes with contention) but ignores chunks stretched by preemption.
 * @returns units done, and whether an abort stopped it.
 */
export function runUntil(d: MeteredDriver, deadline: number, ctrl: Int32Array, chunkMs: number): { units: number, aborted: boolean } {
  let units = 0
  let now = monoMs()
  for (;;) {
    const rem = deadline - now
    if (rem < d.msPerUnit / 2) return { units, aborted: false }
    const n = Math.max(1, Math.min(Math.floor(chunkMs / d.msPerUnit), Math.round(rem / d.msPerUnit)))
    d.run(n)
    const t = monoMs()
    const per = (t - now) / n
    // Quick to follow a faster kernel, slow to believe a slower one: preemption looks slow, but a
    // kernel that really slowed down (caches taken by other threads) is learnt within ~100 chunks.
    d.msPerUnit += (per < d.msPerUnit ? 0.3 : per < 3 * d.msPerUnit ? 0.05 : 0.01) * (per - d.msPerUnit)
    units += n
    now = t
    if (Atomics.load(ctrl, CTRL_ABORT) !== 0) return { units, aborted: true }
  }
}

/**
 * Measures a fresh driver's unit time over about `ms` (which also lets V8 tier the kernel up
 * from its baseline compiler). Takes the fastest chunk: on a busy machine most chunks include
 * time the thread spent preempted, which says nothing about the kernel's speed.
 */
export function calibrate(d: Driver, ms: number): MeteredDriver {
  let n = 1
  let best = Infinity
  const end = monoMs() + ms
  while (monoMs() < end) {
    const t0 = monoMs()
    d.run(n)
    const took = monoMs() - t0
    if (took < 0.05) n *= 2
    else best = Math.min(best, took / n)
  }
  return Object.assign(d, { msPerUnit: Number.isFinite(best) ? best : 0.05 / n })
}
