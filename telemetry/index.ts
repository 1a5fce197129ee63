/**
 * Telemetry: what a device is (fingerprint, Pitot platform features), what it does (the
 * /proc sampler and contention probe, trace CSV/JSON files) and how alike two traces are
 * (normalised DTW).
 * @module
 */
export type { CacheInfo, DeviceFingerprint, Trace, TraceJson, TraceMeta } from './types.js'
export { deviceFingerprint, readCaches, type FingerprintSources } from './fingerprint.js'
export {
  platformFeatures, PLATFORM_FEATURE_NAMES, PLATFORM_RUNTIMES, V8_RUNTIME, type PlatformRuntime,
} from './platform-features.js'
export { PLATFORM_UARCHS, recogniseUarch, type PlatformUarch } from './uarch.js'
export { Sampler, type OnSample, type SamplerOptions } from './sampler.js'
export { ContentionProbe, probeSizes, type ContentionProbeOptions } from './contention-probe.js'
export { wholeDisks } from './proc.js'
export { FOREIGN_LOAD_WARN_PCT, foreignLoadMeter } from './foreign-load.js'
export {
  column, defaultUnits, formatTraceCsv, parseTraceCsv, readTraceCsv, REQUIRED_COLUMNS, sidecarPath, traceFromJson,
  traceToJson, validateTrace, writeTraceCsv,
} from './trace-io.js'
export { dtw, normalisedDtw, rangesFromTraces, type NormalisedDtwOptions, type NormalisedDtwResult } from './dtw.js'
export {
  recordReplay, recordReplayToCsv, recordTrace,
  type RecordOptions, type RecordReplayOptions, type WindowedLike, type WindowReportLike,
} from './record.js'
export { tracesSvg, type LabelledTrace } from './trace-plot.js'
