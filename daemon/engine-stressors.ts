/**
 * The ReplayEngine over stressors-wasm: one Executor per replay (no idle worker threads while
 * nothing plays), workers at lowered priority so that the API thread keeps answering while
 * every core is busy, and window reports condensed to per-thread planned vs executed time.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises'
import {
  checkCaps, Executor, parseComposition, stressorCatalog, type Composition, type WindowReport,
} from '../stressors-wasm/index.js'
import type { ReplayEngine } from './engine.js'
import type { WindowSummary } from './types.js'

/** How long an aborted replay may take to wind down before its workers are terminated. */
const ABORT_GRACE_MS = 250
/** How long to wait for the worker threads to exit after close(). */
const CLOSE_WAIT_MS = 300

export interface StressorEngineOptions {
  /** Pin worker k to core k (default true). */
  pin?: boolean
  /**
   * Lower the workers' priority (default true; the daemon passes its priority model). A
   * function is asked at each replay, so a config reload applies to the next one.
   */
  lowPriority?: boolean | (() => boolean)
}

export function stressorEngine({ pin = true, lowPriority = true }: StressorEngineOptions = {}): ReplayEngine<Composition> {
  const catalog = stressorCatalog()
  const catalogJson = catalog.map(({ name, family, kernel, description, params }) => ({ name, family, kernel, description, params }))
  return {
    catalog: () => structuredClone(catalogJson),
    parse: (input) => parseComposition(input, catalog),
    shape: (c) => ({ windowMs: c.windowMs, threads: c.threads, windows: c.windows.length, stressors: c.stressors.map((s) => s.name) }),
    checkCaps: (c, caps, repeat = 1) => { checkCaps(c, caps, { repeat, catalog }) },
    async run(comp, { signal, caps, repeat, startAt, onWindow }) {
      const wait = startAt - Date.now()
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {})
      if (signal.aborted) return undefined
      const low = typeof lowPriority === 'function' ? lowPriority() : lowPriority
      const ex = await Executor.create({ threads: comp.threads, caps, pin, lowPriority: low })
      try {
        const replay = ex.replay(comp, { signal, repeat, keepWindows: false, onWindow: (w) => onWindow(summarise(w, comp)) })
        // A kernel that ignores the abort flag must not keep the device busy: terminate it.
        const grace = new Promise<undefined>((resolve) => {
          signal.addEventListener('abort', () => { setTimeout(resolve, ABORT_GRACE_MS, undefined).unref() }, { once: true })
        })
        const report = await Promise.race([replay, grace])
        if (!report) return undefined
        return { meanAbsErrorFraction: report.timing.mean_abs_error_fraction, maxStartDriftMs: report.timing.max_start_drift_ms }
      } finally {
        // Terminated SCHED_IDLE threads exit only once the kernel schedules them, which a busy
        // machine may delay; shutdown does not wait for that (process exit ends them anyway).
        await Promise.race([ex.close(), sleep(CLOSE_WAIT_MS)])
      }
    },
  }
}

/** Per thread, planned and executed busy time; the mean timing error over the window's entries. */
export function summarise(w: WindowReport, comp: Composition): WindowSummary {
  const plannedMs = new Array<number>(comp.threads).fill(0)
  const executedMs = new Array<number>(comp.threads).fill(0)
  let err = 0
  let ops = 0
  let bytes = 0
  for (const e of w.entries) {
    plannedMs[e.thread]! += e.plannedMs
    executedMs[e.thread]! += e.executedMs
    err += Math.abs(e.executedMs - e.plannedMs) / comp.windowMs
    ops += e.ops
    bytes += e.bytes
  }
  const round = (v: number) => Math.round(v * 1000) / 1000
  return {
    index: w.index, startMs: w.plannedStartMs, startDriftMs: round(w.driftMs),
    plannedMs: plannedMs.map(round), executedMs: executedMs.map(round),
    meanAbsErrorFraction: w.entries.length ? err / w.entries.length : 0, ops, bytes,
  }
}
