/**
 * Records that cross the telemetry boundary: the device fingerprint, traces and their sidecar.
 * @module
 */
import type { SysfsCache } from '../stressors-wasm/cache-sizes.js'

/** One CPU cache as sysfs describes it (cpu0's view). */
export type CacheInfo = SysfsCache

/** What a device is: hardware, OS and runtime. Serialisable as JSON. */
export interface DeviceFingerprint {
  hostname: string
  arch: string
  cpu: {
    vendor: string
    modelName: string
    /** x86 `cpu family` / ARM implementer; null where /proc/cpuinfo does not say. */
    family: number | null
    /** x86 `model` / ARM part number; null where /proc/cpuinfo does not say. */
    model: number | null
    /** Microarchitecture recognised from vendor/family/model, null if unrecognised. */
    uarch: string | null
    /** The platforms.csv uarch column this device is encoded as (see platform-features.ts). */
    platformUarch: string | null
    /** Logical CPUs the OS schedules on. */
    cores: number
    /** Maximum frequency (cpufreq) or the nominal `cpu MHz`; null if unknown. */
    mhz: number | null
  }
  caches: { l1d: CacheInfo | null; l1i: CacheInfo | null; l2: CacheInfo | null; l3: CacheInfo | null }
  memoryBytes: number
  kernel: string
  node: string
  v8: string
  wasm: { engine: string; version: string; simd: boolean; threads: boolean }
  /** Native features that work on this device (native addon), or null before it is known. */
  native: Record<string, boolean> | null
}

/** Units and provenance of a trace, written as a JSON sidecar next to the CSV. */
export interface TraceMeta {
  /** Unit of each column, e.g. `{ time_s: 's', cpu_util_0: '%' }`. */
  units: Record<string, string>
  periodS?: number
  /** ISO time the first sample's interval began. */
  startedAt?: string
  fingerprint?: DeviceFingerprint
  /** Metrics this device could not measure (e.g. hardware counters) and why. */
  absent?: Record<string, string>
  /** Anything else worth keeping (command recorded, composition id, ...). */
  notes?: Record<string, unknown>
}

/**
 * A resource-usage trace: `columns[0]` is `time_s`, then `cpu_util_<k>` per core,
 * `disk_read_bytes_per_s`, `disk_write_bytes_per_s`, then further metrics.
 * `rows[i][j]` is column j at sample i; every row has `columns.length` cells.
 */
export interface Trace {
  columns: string[]
  rows: number[][]
  meta?: TraceMeta
}

/** The JSON form of a trace (`traceToJson`). */
export interface TraceJson {
  columns: string[]
  rows: number[][]
  meta: TraceMeta | null
}
