/**
 * One thread's plan for one window (MimeSys "fair per-entry slicing"): its stressors in a fresh
 * random order, each for its fraction of W, with the idle remainder split evenly into a gap
 * after each one so idle time is spread through the window rather than lumped at its end.
 * @module
 */

export interface Slice {
  /** Index into composition.stressors. */
  stressor: number
  /** Offsets from the window's planned start, ms. */
  startMs: number
  endMs: number
}

/**
 * @param fractions this thread's fraction for every stressor in this window.
 * @param random source of uniform [0, 1) numbers (Math.random by default).
 * @returns slices in execution order; fractions summing above 1 are scaled down to fill W.
 */
export function planWindow(fractions: readonly number[], windowMs: number, random: () => number = Math.random): Slice[] {
  const active: number[] = []
  let sum = 0
  fractions.forEach((f, m) => { if (f > 0) { active.push(m); sum += f } })
  if (active.length === 0) return []
  const scale = sum > 1 ? 1 / sum : 1
  // Fisher–Yates.
  for (let i = active.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[active[i], active[j]] = [active[j]!, active[i]!]
  }
  const gap = (windowMs * (1 - Math.min(1, sum))) / active.length
  const slices: Slice[] = []
  let t = 0
  for (const m of active) {
    const d = fractions[m]! * scale * windowMs
    slices.push({ stressor: m, startMs: t, endMs: t + d })
    t += d + gap
  }
  return slices
}
