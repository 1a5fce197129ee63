/**
 * Records that cross the generator's boundary. A composition window is a flat Float32Array of
 * M×K fractions indexed `m * K + k` (stressor m on thread k), each in [0, 1] with every thread's
 * column summing to at most 1; a trace window is one value per metric, raw units (% or bytes/s).
 * @module
 */

import type { RecordSource } from './recorder.js'

/** The metrics the generator conditions on and is judged by (one 2-core device: CPU + disk). */
export const DEFAULT_METRICS = ['cpu_util_0', 'cpu_util_1', 'disk_read_bytes_per_s', 'disk_write_bytes_per_s'] as const

/**
 * The stressors the generator composes by default: two CPU kernels, an L2 copy, a DRAM stream,
 * and paced disk reads and writes (full-rate I/O on this class of disk runs at GB/s, far past
 * what real programs' traces show, and would stretch the score's normalisation range with it).
 * Reads pace at 5 ms so cold reads of 200 MB/s fit: programs outside the shared traces read at
 * 100-480 MB/s (bench/traces), and 1m-p25 stopped at 49. The four metrics cannot tell memory kernels
 * apart, so a small set keeps the space learnable from a 30-minute collection.
 */
export const DEFAULT_STRESSORS = [
  'cpu-crc32c', 'cpu-fp-simd', 'cache-memcpy-l2', 'mem-stream',
  'disk-read-1m-p5', 'disk-read-256k-p25', 'disk-write-1m-p5', 'disk-write-256k-p25',
] as const

/** What a dataset, a model and a generated composition all agree on. */
export interface Space {
  /** Stressor catalog names, M of them (rows of a composition window). */
  stressors: string[]
  /** Which stressors do disk I/O. */
  disk: boolean[]
  /**
   * Whether a thread may run CPU/memory and disk stressors in the same window (beyond MimeSys,
   * whose threads run one kind per window); absent in spaces from before this choice existed.
   */
  mixedThreads?: boolean
  /** Worker threads, K (columns). */
  threads: number
  /** Trace metric names, N of them. */
  metrics: string[]
  /** Window length the data was collected at, ms. */
  windowMs: number
  /** How trace windows are recorded (generator/recorder.ts); replays are scored the same way. */
  source: RecordSource
}

/** One collected example: what ran before, what ran, what the device did (raw units). */
export interface Sample {
  prev: Float32Array
  comp: Float32Array
  obs: Float32Array
}

/** A target for generation: T windows × N metrics in raw units, NaN where a sample is missing. */
export interface Target {
  name: string
  metrics: string[]
  /** rows[t][n]; NaN marks a missing value. */
  rows: Float64Array[]
  periodS: number
}

/**
 * Composition-generating methods of `edgemime generate`: the MimeSys diffusion model, its
 * baselines, and diffusion proposals refined by the learned forward model (guide.ts).
 */
export const METHODS = ['diffusion', 'search', 'interpolate', 'single', 'guided'] as const
export type Method = typeof METHODS[number]
