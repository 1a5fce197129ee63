/**
 * How much memory and disk one worker thread needs for a composition, and where each
 * stressor's buffer lives in its WebAssembly memory. The caps check and the worker use this one
 * layout, so what is checked is what gets allocated.
 * @module
 */
import type { StressorSpec } from './catalog.js'
import type { Composition } from './composition.js'
import type { WorkerStressor } from './protocol.js'

/** A stressor resolved against the catalog: spec plus complete parameters. */
export interface ResolvedStressor {
  index: number
  spec: StressorSpec
  params: Record<string, number>
}

export interface ThreadLayout {
  /** Byte offset (relative to the worker's heap base) of each used stressor's buffer. */
  offsets: Map<number, number>
  memoryBytes: number
  diskBytes: number
}

/** Kernels whose buffer contents do not matter share one scratch region per thread. */
const SHARED = new Set(['crc32c', 'memcpy', 'memcmp', 'stream', 'memset'])
const ALIGN = 4096

/** Fills in default parameters. */
export function resolveStressors(comp: Composition, catalog: StressorSpec[]): ResolvedStressor[] {
  return comp.stressors.map((s, index) => {
    const spec = catalog.find((c) => c.name === s.name)!
    const params: Record<string, number> = {}
    for (const [k, p] of Object.entries(spec.params)) params[k] = s.params[k] ?? p.default
    return { index, spec, params }
  })
}

/** What a worker needs to know of a stressor whose buffer sits at `offset`. */
export function workerStressor(index: number, spec: StressorSpec, params: Record<string, number>, offset?: number): WorkerStressor {
  return { index, name: spec.name, kernel: spec.kernel, params, offset, bytes: spec.workingSetBytes(params) }
}

/** Stressor indices with a non-zero fraction on thread k in any window. */
export function stressorsOnThread(comp: Composition, k: number): number[] {
  const used: number[] = []
  for (let m = 0; m < comp.stressors.length; m++) {
    if (comp.windows.some((w) => w[m]![k]! > 0)) used.push(m)
  }
  return used
}

/**
 * Lays out the buffers of the stressors a thread uses: one shared scratch region (the largest
 * content-free buffer) followed by one region for each stressor whose contents matter (pointer
 * chains, hash tables, float points). Disk: one file per thread, as large as its largest need.
 */
export function threadLayout(resolved: ResolvedStressor[], used: number[]): ThreadLayout {
  const align = (v: number) => Math.ceil(v / ALIGN) * ALIGN
  let scratch = 0
  let diskBytes = 0
  for (const m of used) {
    const r = resolved[m]!
    if (SHARED.has(r.spec.kernel)) scratch = Math.max(scratch, r.spec.workingSetBytes(r.params))
    diskBytes = Math.max(diskBytes, r.spec.diskBytes(r.params))
  }
  const offsets = new Map<number, number>()
  let end = align(scratch)
  for (const m of used) {
    const r = resolved[m]!
    if (SHARED.has(r.spec.kernel)) offsets.set(m, 0)
    else if (r.spec.family !== 'disk' && r.spec.family !== 'idle') {
      offsets.set(m, end)
      end += align(r.spec.workingSetBytes(r.params))
    }
  }
  return { offsets, memoryBytes: end, diskBytes }
}
