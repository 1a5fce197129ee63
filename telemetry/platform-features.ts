/**
 * A device fingerprint as a Pitot platform feature vector: the same 39 columns, order and
 * encoding as shared/data/pitot/platforms.csv, so the predictor can place never-seen devices.
 *
 * Encoding (offsets fitted so the dataset's Intel rows reproduce exactly, e.g. Haswell
 * 32K/32K/256K/64 B/8 MB -> 1, 1, −1, −2, 2):
 * - `uarch=*`: +1 for the device's nearest dataset uarch (uarch.ts), −1 elsewhere; an
 *   unrecognised CPU is all −1, the encoding of "none of these".
 * - `cpufreq` = ln(max MHz) − 7; 0 (≈ 1.1 GHz) when the frequency is unknown.
 * - `l1d_size`, `l1i_size` = log2(KiB) − 4; `l2_size` = log2(KiB) − 9; `l3_size` = log2(KiB) − 11;
 *   `l2_line` = log2(bytes) − 8. Each `<x>:ind` is +1 when present, else −1 with the value 0.
 * - `l2_assoc=*`: the x86 CPUID 0x80000006 associativity code the dataset used: 8 ways -> 6,
 *   16 ways -> 8, any other known way count -> 7 ("see leaf 4"), unknown -> 0.
 * - `runtime=*`: Node runs WebAssembly on V8, which starts functions on Liftoff (a single-pass
 *   baseline compiler) and tiers hot ones up to TurboFan, an optimising JIT; for workloads that
 *   run long enough to be measured that is closest to `wasmtime-j` (Cranelift JIT), the default.
 *   Pass `runtime: 'wasmer-j-sp'` for a V8 started with --no-wasm-tier-up (Liftoff only).
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import type { CacheInfo, DeviceFingerprint } from './types.js'
import { PLATFORM_UARCHS } from './uarch.js'

/** The runtime columns of platforms.csv, in order. */
export const PLATFORM_RUNTIMES = [
  'iwasm-a', 'iwasm-i', 'wasm3-i', 'wasmedge-i', 'wasmer-a-cl', 'wasmer-a-ll', 'wasmer-j-cl', 'wasmer-j-sp',
  'wasmtime-a', 'wasmtime-j',
] as const
export type PlatformRuntime = typeof PLATFORM_RUNTIMES[number]

/** The runtime column V8 (Node) is encoded as by default. */
export const V8_RUNTIME: PlatformRuntime = 'wasmtime-j'

const L2_ASSOC_CODES = ['0', '6', '7', '8'] as const

/** The 39 feature names of platforms.csv, in order. */
export const PLATFORM_FEATURE_NAMES: readonly string[] = [
  ...PLATFORM_UARCHS.map((u) => `uarch=${u}`),
  'cpufreq',
  'l1d_size', 'l1d_size:ind', 'l1i_size', 'l1i_size:ind', 'l2_size', 'l2_size:ind', 'l2_line', 'l2_line:ind',
  ...L2_ASSOC_CODES.map((c) => `l2_assoc=${c}`),
  'l3_size', 'l3_size:ind',
  ...PLATFORM_RUNTIMES.map((r) => `runtime=${r}`),
]

const pm = (on: boolean) => (on ? 1 : -1)

function logSize(c: CacheInfo | null, offset: number): [number, number] {
  return c ? [Math.log2(c.sizeBytes / 1024) - offset, 1] : [0, -1]
}

function assocCode(ways: number | null | undefined): string {
  if (ways === 8) return '6'
  if (ways === 16) return '8'
  return ways ? '7' : '0'
}

/**
 * Encodes a fingerprint as platforms.csv's 39 features.
 * @param runtime which runtime column to set (default V8_RUNTIME).
 * @throws InvalidInputError for an unknown runtime.
 */
export function platformFeatures(fp: DeviceFingerprint, { runtime = V8_RUNTIME }: { runtime?: PlatformRuntime } = {}): { names: string[]; values: number[] } {
  if (!PLATFORM_RUNTIMES.includes(runtime)) throw new InvalidInputError(`unknown runtime '${runtime}' (one of ${PLATFORM_RUNTIMES.join(', ')})`)
  const { l1d, l1i, l2, l3 } = fp.caches
  const line = l2?.lineBytes ?? null
  const values = [
    ...PLATFORM_UARCHS.map((u) => pm(fp.cpu.platformUarch === u)),
    fp.cpu.mhz ? Math.log(fp.cpu.mhz) - 7 : 0,
    ...logSize(l1d, 4), ...logSize(l1i, 4), ...logSize(l2, 9),
    line ? Math.log2(line) - 8 : 0, pm(line !== null && line > 0),
    ...L2_ASSOC_CODES.map((c) => pm(assocCode(l2?.ways) === c)),
    ...logSize(l3, 11),
    ...PLATFORM_RUNTIMES.map((r) => pm(r === runtime)),
  ]
  return { names: [...PLATFORM_FEATURE_NAMES], values }
}
