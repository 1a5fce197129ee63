/**
 * Turns a profile definition into a composition for a device with `cores` cores. Synthetic
 * profiles repeat phases of fixed fractions; trace profiles follow a recorded trace window by
 * window: thread k plays the CPU utilisation of trace core k mod (trace cores) through the
 * profile's stressor blend, and disk rates become disk-stressor fractions on one extra thread.
 * These are heuristic mixes for developers; fitted compositions come from the generator.
 * @module
 */
import { readTraceCsv } from '../telemetry/index.js'

export interface SyntheticDef {
  name: string
  description: string
  windowMs: number
  /** 'all': one thread per core. */
  threads: 'all' | number
  cycles: number
  stressors: string[]
  /** fractions[m] on every thread, or fractions[m][j] on thread k with j = k mod its length. */
  phases: { windows: number; fractions: (number | number[])[] }[]
}

export interface TraceDef {
  name: string
  description: string
  trace: string
  blend: Record<string, number>
}

export interface TraceDisk {
  read: string
  write: string
  /** Rates that count as a fully busy disk thread. */
  readBytesPerS: number
  writeBytesPerS: number
}

/** A composition before validation (the engine parses it). */
export interface RawComposition {
  version: 1
  windowMs: number
  threads: number
  stressors: { name: string; params: Record<string, number> }[]
  windows: number[][][]
  metadata: Record<string, unknown>
}

export function buildSynthetic(def: SyntheticDef, cores: number, maxThreads: number): RawComposition {
  const K = Math.max(1, Math.min(def.threads === 'all' ? cores : def.threads, maxThreads))
  const windows: number[][][] = []
  for (let c = 0; c < def.cycles; c++) {
    for (const phase of def.phases) {
      const w = phase.fractions.map((f) => Array.from({ length: K }, (_, k) => (Array.isArray(f) ? f[k % f.length]! : f)))
      for (let i = 0; i < phase.windows; i++) windows.push(w.map((row) => [...row]))
    }
  }
  return {
    version: 1, windowMs: def.windowMs, threads: K, stressors: def.stressors.map((name) => ({ name, params: {} })),
    windows, metadata: { source: `profile:${def.name}` },
  }
}

export function buildFromTrace(def: TraceDef, tracePath: string, disk: TraceDisk, cores: number, maxThreads: number): RawComposition {
  const trace = readTraceCsv(tracePath)
  const col = (name: string) => trace.columns.indexOf(name)
  const cpuCols = trace.columns.map((c, i) => [c, i] as const).filter(([c]) => /^cpu_util_\d+$/.test(c)).map(([, i]) => i)
  const [readCol, writeCol] = [col('disk_read_bytes_per_s'), col('disk_write_bytes_per_s')]
  const hasDisk = trace.rows.some((r) => r[readCol]! > 0 || r[writeCol]! > 0)
  // The disk thread comes on top of one thread per core (it mostly waits), when the caps allow.
  const cpuThreads = Math.max(1, Math.min(cores, maxThreads - (hasDisk && maxThreads > 1 ? 1 : 0)))
  const diskThread = hasDisk && cpuThreads < maxThreads ? cpuThreads : -1
  const K = cpuThreads + (diskThread >= 0 ? 1 : 0)
  const blend = Object.entries(def.blend)
  const stressors = [...blend.map(([name]) => name), ...(diskThread >= 0 ? [disk.read, disk.write] : [])]
  const clamp01 = (v: number) => Math.min(1, Math.max(0, v))
  const windows = trace.rows.map((row) => {
    const w = stressors.map(() => new Array<number>(K).fill(0))
    for (let k = 0; k < cpuThreads; k++) {
      const util = clamp01(row[cpuCols[k % cpuCols.length]!]! / 100)
      blend.forEach(([, share], m) => { w[m]![k] = round(util * share) })
    }
    if (diskThread >= 0) {
      let r = clamp01(row[readCol]! / disk.readBytesPerS)
      let wr = clamp01(row[writeCol]! / disk.writeBytesPerS)
      if (r + wr > 1) [r, wr] = [r / (r + wr), wr / (r + wr)]
      w[blend.length]![diskThread] = round(r)
      w[blend.length + 1]![diskThread] = round(wr)
    }
    return w
  })
  const periodS = trace.rows.length > 1 ? trace.rows[1]![0]! - trace.rows[0]![0]! : 1
  return {
    version: 1, windowMs: Math.round(periodS * 1000), threads: K, stressors: stressors.map((name) => ({ name, params: {} })),
    windows, metadata: { source: `profile:${def.name}`, trace: def.trace },
  }
}

/** Three decimals, rounded down so that a thread's fractions never sum past 1. */
const round = (v: number) => Math.floor(v * 1000) / 1000
