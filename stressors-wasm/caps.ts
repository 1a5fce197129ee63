/**
 * Refuses compositions that exceed the device's caps before anything starts.
 * @module
 */
import type { Caps } from '../common/config.js'
import { CapExceededError } from '../common/errors.js'
import { stressorCatalog, type StressorSpec } from './catalog.js'
import type { Composition } from './composition.js'
import { resolveStressors, stressorsOnThread, threadLayout } from './footprint.js'

/** What a replay of a composition will take from the device. */
export interface Footprint {
  threads: number
  memoryBytes: number
  diskBytes: number
  durationS: number
}

/** Memory, disk and time a composition needs (all threads, `repeat` passes). */
export function compositionFootprint(comp: Composition, repeat = 1, catalog: StressorSpec[] = stressorCatalog()): Footprint {
  const resolved = resolveStressors(comp, catalog)
  let memoryBytes = 0
  let diskBytes = 0
  for (let k = 0; k < comp.threads; k++) {
    const layout = threadLayout(resolved, stressorsOnThread(comp, k))
    memoryBytes += layout.memoryBytes
    diskBytes += layout.diskBytes
  }
  return { threads: comp.threads, memoryBytes, diskBytes, durationS: (comp.windows.length * comp.windowMs * repeat) / 1000 }
}

/**
 * @throws CapExceededError naming the cap, the need and the limit.
 * @returns the footprint, for callers that report it.
 */
export function checkCaps(comp: Composition, caps: Caps, opts: { repeat?: number, catalog?: StressorSpec[] } = {}): Footprint {
  const f = compositionFootprint(comp, opts.repeat ?? 1, opts.catalog)
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`
  if (f.threads > caps.maxThreads) throw new CapExceededError(`composition needs ${f.threads} threads; the cap is ${caps.maxThreads}`)
  if (f.memoryBytes > caps.maxMemoryBytes) throw new CapExceededError(`composition needs ${mb(f.memoryBytes)} of stressor memory; the cap is ${mb(caps.maxMemoryBytes)}`)
  if (f.diskBytes > caps.diskQuotaBytes) throw new CapExceededError(`composition needs ${mb(f.diskBytes)} of disk in ${caps.diskDir}; the quota is ${mb(caps.diskQuotaBytes)}`)
  if (f.durationS > caps.maxDurationS) throw new CapExceededError(`composition runs ${f.durationS} s; the cap is ${caps.maxDurationS} s`)
  return f
}
