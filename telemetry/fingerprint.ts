/**
 * The device fingerprint: CPU (model, uarch, cores, frequency), caches (sysfs), memory, kernel,
 * Node/V8 and WebAssembly engine, and which native features work.
 * @module
 */
import { readFileSync } from 'node:fs'
import { hostname, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { readSysfsCaches } from '../stressors-wasm/cache-sizes.js'
import type { DeviceFingerprint } from './types.js'
import { recogniseUarch } from './uarch.js'

/** Where the fingerprint reads from; tests point these at fixture trees. */
export interface FingerprintSources {
  cpuinfoPath?: string
  sysRoot?: string
  /** Native feature report; by default the native addon's nativeFeatures(). */
  native?: () => Promise<Record<string, boolean> | null>
}

function readText(path: string): string | null {
  try { return readFileSync(path, 'utf8') } catch { return null }
}

/** The first block of /proc/cpuinfo as key -> value (all CPUs of an edge device are alike enough). */
export function parseCpuinfo(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const i = line.indexOf(':')
    if (i < 0) continue
    const key = line.slice(0, i).trim()
    if (key && !(key in out)) out[key] = line.slice(i + 1).trim()
  }
  return out
}

/** cpu0's caches from sysfs (readSysfsCaches), keyed l1d/l1i/l2/l3; absent levels are null. */
export function readCaches(sysRoot = '/sys'): DeviceFingerprint['caches'] {
  const caches: DeviceFingerprint['caches'] = { l1d: null, l1i: null, l2: null, l3: null }
  for (const info of readSysfsCaches(sysRoot)) {
    if (info.level === 1 && info.type === 'Data') caches.l1d = info
    else if (info.level === 1 && info.type === 'Instruction') caches.l1i = info
    else if (info.level === 2) caches.l2 = info
    else if (info.level === 3) caches.l3 = info
  }
  return caches
}

/** Highest frequency the CPU runs at, in MHz: cpufreq's max, else /proc/cpuinfo's `cpu MHz`. */
function cpuMhz(sysRoot: string, info: Record<string, string>): number | null {
  const khz = Number(readText(join(sysRoot, 'devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq')))
  if (khz > 0) return khz / 1000
  const mhz = Number(info['cpu MHz'])
  return mhz > 0 ? mhz : null
}

/** WebAssembly features the engine accepts, probed by validating tiny modules. */
function wasmFeatures(): { simd: boolean; threads: boolean } {
  // (module (func (result v128) (v128.const i32x4 0 0 0 0)))
  const simd = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11])
  let threads = false
  try { threads = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer } catch { /* no shared memory */ }
  return { simd: WebAssembly.validate(simd), threads }
}

async function defaultNative(): Promise<Record<string, boolean> | null> {
  try {
    const { nativeFeatures } = await import('../native/index.js')
    const f = nativeFeatures()
    return {
      addon: f.addon,
      affinity: f.affinity.mode === 'native',
      priority: f.priority.mode !== 'unsupported',
      directIo: f.directIo.mode === 'native',
      perfCounters: f.perfCounters.mode === 'native',
    }
  } catch { return null }
}

/**
 * Fingerprints this device. Never throws: what cannot be read is null (or empty).
 * @example const fp = await deviceFingerprint(); fp.cpu.uarch // 'emeraldrapids'
 */
export async function deviceFingerprint({ cpuinfoPath = '/proc/cpuinfo', sysRoot = '/sys', native = defaultNative }: FingerprintSources = {}): Promise<DeviceFingerprint> {
  const cpuinfo = readText(cpuinfoPath) ?? ''
  const info = parseCpuinfo(cpuinfo)
  const vendor = info['vendor_id'] ?? (info['CPU implementer'] ? 'ARM' : '')
  const numOrNull = (v: string | undefined) => (v !== undefined && Number.isFinite(Number(v)) ? Number(v) : null)
  const family = numOrNull(info['cpu family'] ?? info['CPU implementer'])
  const model = numOrNull(info['model'] ?? info['CPU part'])
  const { uarch, platform } = recogniseUarch(process.arch, vendor, family, model)
  const cores = cpuinfo.split('\n').filter((l) => /^processor\s*:/.test(l)).length
  return {
    hostname: hostname(),
    arch: process.arch,
    cpu: {
      vendor,
      modelName: info['model name'] ?? info['Model'] ?? info['uarch'] ?? '',
      family,
      model,
      uarch,
      platformUarch: platform,
      cores: cores || 1,
      mhz: cpuMhz(sysRoot, info),
    },
    caches: readCaches(sysRoot),
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.versions.node,
    v8: process.versions.v8,
    wasm: { engine: 'v8', version: process.versions.v8, ...wasmFeatures() },
    native: await native(),
  }
}
