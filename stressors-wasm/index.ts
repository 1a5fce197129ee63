/**
 * Stressor runtime: the catalog, the composition format, caps checks and the executor that
 * replays compositions on persistent WebAssembly worker threads.
 * @module
 */
export { readCacheSizes, parseSysfsSize, FALLBACK_CACHE_SIZES, type CacheSizes } from './cache-sizes.js'
export { stressorCatalog, type StressorSpec, type StressorFamily, type ParamSpec, type KernelName } from './catalog.js'
export { CompositionSchema, parseComposition, type Composition } from './composition.js'
export { checkCaps, compositionFootprint, type Footprint } from './caps.js'
export { Executor } from './executor.js'
export type {
  EntryReport, WindowReport, TimingSummary, StressorTotals, ReplayReport, ReplayOptions, ExecutorOptions,
} from './report-types.js'
