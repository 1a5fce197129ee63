/**
 * The native layer's public surface: thread pinning and priority, page-cache-bypassing disk
 * I/O and hardware counters, each through the N-API addon when it is built and loadable
 * (not disabled by EDGEMIME_NO_ADDON=1), else through pure-JS fallbacks that say what they lack.
 * Loadable in worker threads (the addon is context-aware).
 * @module
 */
export { nativeFeatures, type FeatureMode, type FeatureStatus, type NativeFeatures } from './features.js'
export {
  currentThreadAffinity, currentThreadId, DEFAULT_PRIORITY_POLICY, setCurrentThreadPriority, pinCurrentThread,
  type PriorityPolicy,
} from './threads.js'
export { allocAligned, DiskFile, IO_ALIGN, type CacheBypass, type DiskFileOptions } from './disk.js'
export {
  openPerfCounters, PERF_COUNTERS, perfCountersReason,
  type PerfCounterName, type PerfCounters, type PerfSample, type PerfTarget,
} from './perf.js'
