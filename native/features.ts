/**
 * Which native features are active, for the daemon's device info and the executor's choices.
 * Each feature is 'native' (the addon does it), 'fallback' (pure JS does a weaker version) or
 * 'unsupported' (nothing does it here), with a short reason.
 * @module
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { binding, bindingReason } from './binding.js'
import { IO_ALIGN } from './disk.js'
import { perfCountersReason } from './perf.js'

export type FeatureMode = 'native' | 'fallback' | 'unsupported'
export interface FeatureStatus { mode: FeatureMode, reason: string }

export interface NativeFeatures {
  /** Whether the N-API addon is loaded (reason in `addonReason`). */
  addon: boolean
  addonReason: string
  affinity: FeatureStatus
  priority: FeatureStatus
  directIo: FeatureStatus
  perfCounters: FeatureStatus
}

function directIo(diskDir: string | undefined): FeatureStatus {
  if (!binding) return { mode: 'fallback', reason: 'fs.*Sync through the page cache (not bypassed)' }
  if (diskDir === undefined) return { mode: 'native', reason: 'O_DIRECT, or fadvise(DONTNEED) where the file system refuses it' }
  const probe = join(diskDir, `.edgemime-probe-${process.pid}-${Date.now()}`)
  try {
    const f = binding.openFile(probe, true, true)
    f.close()
    return f.direct
      ? { mode: 'native', reason: `O_DIRECT in ${diskDir} (${IO_ALIGN}-byte aligned blocks)` }
      : { mode: 'native', reason: `${diskDir} refuses O_DIRECT: buffered reads dropped with fadvise(DONTNEED)` }
  } catch (err) {
    return { mode: 'unsupported', reason: `cannot create files in ${diskDir}: ${(err as Error).message}` }
  } finally {
    rmSync(probe, { force: true })
  }
}

const cache = new Map<string, NativeFeatures>()

/**
 * Reports the native features of this process, probing once per diskDir (the directory where
 * disk stressors will create files; without it, direct I/O is reported without a probe).
 */
export function nativeFeatures({ diskDir }: { diskDir?: string } = {}): NativeFeatures {
  const key = diskDir ?? ''
  const hit = cache.get(key)
  if (hit) return structuredClone(hit)
  const perfReason = perfCountersReason()
  const features: NativeFeatures = {
    addon: binding !== null,
    addonReason: bindingReason,
    affinity: binding
      ? { mode: 'native', reason: 'sched_setaffinity on the thread id' }
      : { mode: 'unsupported', reason: 'needs the native addon' },
    priority: binding
      ? { mode: 'native', reason: 'setpriority and SCHED_IDLE on the thread id' }
      : { mode: 'fallback', reason: 'os.setPriority on the thread id (nice only, no SCHED_IDLE)' },
    directIo: directIo(diskDir),
    perfCounters: perfReason === null
      ? { mode: 'native', reason: 'perf_event_open' }
      : { mode: 'unsupported', reason: perfReason },
  }
  cache.set(key, features)
  return structuredClone(features)
}
