/**
 * The resource-usage sampler: every period (default 1 s, down to 100 ms) it turns /proc
 * counter deltas into one trace row; hardware counters come from the native addon's perf API
 * when the kernel allows them, else a software contention probe stands in.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { readCacheSizes, type CacheSizes } from '../stressors-wasm/cache-sizes.js'
import { ContentionProbe, probeSizes } from './contention-probe.js'
import { openSystemCounters, type SystemCounters } from './counters.js'
import { diskstatsNames, procReader, wholeDisks, type ProcPaths, type ProcReading } from './proc.js'
import { defaultUnits } from './trace-io.js'
import type { DeviceFingerprint, Trace, TraceMeta } from './types.js'

export interface SamplerOptions extends ProcPaths {
  /** Sampling period in ms, 100 to 60,000 (default 1,000). */
  periodMs?: number
  /** Disks to count (default: every whole disk, see wholeDisks). */
  disks?: string[]
  /** Hardware counters: 'auto' (default) uses them when the kernel allows; false never. */
  counters?: 'auto' | false
  /** Contention probe: 'auto' (default) runs it when counters are absent; true always; false never. */
  probe?: 'auto' | boolean
  /** Probe buffer sizes (default from the fingerprint's caches, see probeSizes). */
  probeBytes?: { llcBytes: number; dramBytes: number }
  /** Stored in the trace's sidecar. */
  fingerprint?: DeviceFingerprint
}

/** Called with each new row, in column order. */
export type OnSample = (row: number[], columns: readonly string[]) => void

const BASE_METRICS = ['mem_used_bytes', 'context_switches_per_s', 'page_faults_per_s', 'major_faults_per_s']
/** Hardware counter columns, in PERF_COUNTERS order. */
const COUNTER_METRICS = ['instructions_per_s', 'cycles_per_s', 'llc_misses_per_s']
const PROBE_METRICS = ['probe_llc_slowdown', 'probe_dram_slowdown']

export class Sampler {
  readonly periodMs: number
  readonly columns: string[]
  readonly #read: () => ProcReading
  readonly #counters: SystemCounters | null
  readonly #probe: ContentionProbe | null
  readonly #meta: TraceMeta
  readonly #rows: number[][] = []
  #last: { r: ProcReading; t: bigint; hw: number[] } | null = null
  #t0 = 0n
  #timer: NodeJS.Timeout | null = null
  #onSample: OnSample | undefined
  #cpuUs = 0
  #started = false
  #stopped = false

  constructor({ periodMs = 1000, disks, counters = 'auto', probe = 'auto', probeBytes, fingerprint, ...paths }: SamplerOptions = {}) {
    if (!(periodMs >= 100 && periodMs <= 60_000)) throw new InvalidInputError(`sampler period must be 100 ms to 60 s, got ${periodMs} ms`)
    this.periodMs = periodMs
    if (disks) {
      const known = diskstatsNames(paths)
      const unknown = disks.filter((d) => !known.includes(d))
      if (unknown.length) throw new InvalidInputError(`unknown disk(s) ${unknown.join(', ')}; /proc/diskstats lists ${known.join(', ') || 'none'}`)
    }
    this.#read = procReader(paths, disks ?? wholeDisks(paths))
    const cores = this.#read().cpuBusy.length
    if (cores === 0) throw new InvalidInputError(`no per-core CPU lines in ${paths.procRoot ?? '/proc'}/stat`)
    const absent: Record<string, string> = {}
    const hw = counters === 'auto' ? openSystemCounters(cores) : { counters: null, reason: 'disabled by option' }
    this.#counters = hw.counters
    if (!hw.counters) for (const m of COUNTER_METRICS) absent[m] = hw.reason
    const useProbe = probe === true || (probe === 'auto' && !hw.counters)
    if (useProbe) {
      // A fingerprint may lack cache levels (containers without sysfs cache entries): each missing
      // size comes from readCacheSizes (typical sizes where sysfs has none), read at most once and
      // not at all when the fingerprint has both or the probe sizes are given.
      const c = fingerprint?.caches
      let sysfs: CacheSizes | undefined
      const fromSysfs = () => (sysfs ??= readCacheSizes(paths.sysRoot))
      const sizes = probeBytes ?? probeSizes(c?.l2?.sizeBytes ?? fromSysfs().l2Bytes, (c?.l3 ?? c?.l2)?.sizeBytes ?? fromSysfs().llcBytes)
      // Fewer hops at short periods keep the probe's share of a core low (≈ 1 k hops per second).
      this.#probe = new ContentionProbe({ ...sizes, hops: Math.min(1024, Math.max(256, Math.round(1.024 * periodMs))) })
    } else {
      this.#probe = null
      for (const m of PROBE_METRICS) absent[m] = hw.counters ? 'hardware counters present' : 'disabled by option'
    }
    this.columns = [
      'time_s', ...Array.from({ length: cores }, (_, k) => `cpu_util_${k}`), 'disk_read_bytes_per_s', 'disk_write_bytes_per_s',
      ...BASE_METRICS,
      ...(this.#counters ? COUNTER_METRICS : []),
      ...(this.#probe ? PROBE_METRICS : []),
    ]
    this.#meta = { units: defaultUnits(this.columns), periodS: periodMs / 1000, absent, ...(fingerprint ? { fingerprint } : {}) }
  }

  /**
   * Measures the contention probe's idle baseline (no-op without a probe). start() does it when
   * it has not been done; call it earlier to keep it out of a measured interval.
   */
  calibrate(): void {
    if (!this.#probe) return
    const base = this.#probe.calibrate()
    this.#meta.notes = { ...this.#meta.notes, probeBaselineNs: base, probeBytes: this.#probe.bytes }
  }

  /** Whether start() has been called and stop() not yet. */
  get running(): boolean { return this.#started && !this.#stopped }

  /** Milliseconds since the last row (or start); NaN when not running. */
  get sinceLastMs(): number {
    return this.#last ? Number(process.hrtime.bigint() - this.#last.t) / 1e6 : NaN
  }

  /** Rows taken so far. */
  get rowCount(): number { return this.#rows.length }

  /** CPU seconds this sampler has spent taking samples (probe included). */
  get cpuSeconds(): number { return this.#cpuUs / 1e6 }

  /**
   * Starts sampling: calibrates the probe, takes the first reading, then (with `periodic`, the
   * default) takes a row every period on a drift-free schedule. With `periodic: false` the
   * caller decides when rows are taken by calling sample(). With `atMs` (a monotonic time in
   * ms, `process.hrtime.bigint()` / 1e6, e.g. a replay's window anchor) the first reading waits
   * until then and rows fall on atMs + k × period.
   */
  start(onSample?: OnSample, { periodic = true, atMs }: { periodic?: boolean; atMs?: number } = {}): void {
    if (this.#stopped) throw new InvalidInputError('sampler already stopped; create a new one')
    if (this.#started) throw new InvalidInputError('sampler already started')
    this.#started = true
    this.#onSample = onSample
    if (!this.#probe?.baselineNs) this.calibrate()
    const begin = () => {
      const now = process.hrtime.bigint()
      this.#t0 = atMs === undefined ? now : BigInt(Math.round(atMs * 1e6))
      this.#meta.startedAt = new Date().toISOString()
      this.#last = { r: this.#read(), t: now, hw: this.#counters?.read() ?? [] }
      if (periodic) this.#schedule(1)
    }
    const wait = atMs === undefined ? 0 : atMs - Number(process.hrtime.bigint()) / 1e6
    if (wait > 0) this.#timer = setTimeout(begin, wait)
    else begin()
  }

  #schedule(k: number): void {
    const due = Number(this.#t0) / 1e6 + k * this.periodMs
    const wait = Math.max(0, due - Number(process.hrtime.bigint()) / 1e6)
    this.#timer = setTimeout(() => {
      this.sample()
      if (!this.running) return // stopped from onSample
      // Skip slots that a stalled event loop missed instead of bunching rows together.
      const next = Math.max(k + 1, Math.floor((Number(process.hrtime.bigint() - this.#t0) / 1e6) / this.periodMs) + 1)
      this.#schedule(next)
    }, wait)
  }

  /** Takes one row now: rates over the time since the previous row. */
  sample(): number[] {
    const last = this.#last
    if (!last) throw new InvalidInputError('sampler not started')
    const cpu0 = process.cpuUsage()
    const t = process.hrtime.bigint()
    const r = this.#read()
    const hw = this.#counters?.read() ?? []
    const dt = Number(t - last.t) / 1e9
    const rate = (now: number, before: number) => (dt > 0 ? Math.max(0, now - before) / dt : 0)
    const util = r.cpuBusy.map((b, k) => {
      const dTotal = r.cpuTotal[k]! - last.r.cpuTotal[k]!
      return dTotal > 0 ? Math.round((10000 * (b - last.r.cpuBusy[k]!)) / dTotal) / 100 : 0
    })
    const row = [
      Math.round(Number(t - this.#t0) / 1e6) / 1000,
      ...util,
      Math.round(rate(r.readSectors, last.r.readSectors) * 512),
      Math.round(rate(r.writeSectors, last.r.writeSectors) * 512),
      r.memUsedBytes,
      Math.round(rate(r.contextSwitches, last.r.contextSwitches)),
      Math.round(rate(r.pageFaults, last.r.pageFaults)),
      Math.round(rate(r.majorFaults, last.r.majorFaults)),
      ...hw.map((v, i) => Math.round(rate(v, last.hw[i]!))),
    ]
    if (this.#probe) {
      const s = this.#probe.measure()
      row.push(Math.round(s.llc * 1000) / 1000, Math.round(s.dram * 1000) / 1000)
    }
    this.#last = { r, t, hw }
    this.#rows.push(row)
    const used = process.cpuUsage(cpu0)
    this.#cpuUs += used.user + used.system
    this.#onSample?.(row, this.columns)
    return row
  }

  /** Stops sampling and returns the trace recorded so far (the sidecar meta included). */
  stop(): Trace {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    this.#last = null
    if (!this.#stopped) this.#counters?.close()
    this.#stopped = true
    this.#meta.notes = { ...this.#meta.notes, samplerCpuS: Math.round(this.#cpuUs) / 1e6 }
    return { columns: [...this.columns], rows: this.#rows.map((r) => [...r]), meta: structuredClone(this.#meta) }
  }
}
