/**
 * The composition format (version 1): per window of `windowMs`, for each of M stressors and K
 * threads, the fraction of the window that stressor runs on that thread. `windows[t][m][k]`.
 * Each thread's fractions in a window should sum to ≤ 1 (the rest is idle; larger sums are
 * normalised at replay). A thread may mix CPU/memory/cache and disk stressors in a window: each
 * runs in its own slices (schedule.ts), so blocking I/O takes only its own share of the window.
 * @module
 */
import { z } from 'zod'
import { InvalidInputError } from '../common/errors.js'
import { stressorCatalog, type StressorSpec } from './catalog.js'

export const CompositionSchema = z.object({
  version: z.literal(1),
  /** Window length W in milliseconds. */
  windowMs: z.number().min(1).max(3_600_000),
  /** K: worker threads. */
  threads: z.number().int().min(1).max(1024),
  /** The M stressors used: a catalog name and parameter overrides (defaults fill the rest). */
  stressors: z.array(z.object({
    name: z.string().min(1),
    params: z.record(z.string(), z.number().int()).default({}),
  }).strict()).min(1),
  /** T windows of M × K fractions in [0, 1]. */
  windows: z.array(z.array(z.array(z.number().min(0).max(1)))).min(1),
  metadata: z.object({
    /** Fingerprint of the device the composition was made for. */
    device: z.string().optional(),
    /** Where it came from: 'generator', 'manual', a trace id, ... */
    source: z.string().optional(),
  }).catchall(z.unknown()).default({}),
}).strict()

export type Composition = z.infer<typeof CompositionSchema>

/**
 * Validates a composition: structure, shapes (every window M × K), fraction range, known
 * stressor names and parameter ranges.
 * @throws InvalidInputError naming the path and the window/stressor/thread index at fault.
 */
export function parseComposition(json: unknown, catalog: StressorSpec[] = stressorCatalog()): Composition {
  const r = CompositionSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]!
    throw new InvalidInputError(`invalid composition: ${describePath(issue.path)}: ${issue.message}`)
  }
  const comp = r.data
  const M = comp.stressors.length
  const K = comp.threads
  comp.stressors.forEach((s, m) => {
    const spec = catalog.find((c) => c.name === s.name)
    if (!spec) throw new InvalidInputError(`invalid composition: stressors[${m}]: unknown stressor '${s.name}' (see \`edgemime stressors\`)`)
    for (const [key, value] of Object.entries(s.params)) {
      const p = spec.params[key]
      if (!p) throw new InvalidInputError(`invalid composition: stressors[${m}] (${s.name}): unknown parameter '${key}'; known: ${Object.keys(spec.params).join(', ') || 'none'}`)
      if (value < p.min || value > p.max) {
        throw new InvalidInputError(`invalid composition: stressors[${m}] (${s.name}): ${key} = ${value} is out of range [${p.min}, ${p.max}] ${p.unit}`)
      }
    }
    const full = Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, s.params[k] ?? p.default]))
    const problem = spec.check?.(full)
    if (problem) throw new InvalidInputError(`invalid composition: stressors[${m}] (${s.name}): ${problem}`)
  })
  comp.windows.forEach((w, t) => {
    if (w.length !== M) throw new InvalidInputError(`invalid composition: windows[${t}] has ${w.length} rows, expected one per stressor (M = ${M})`)
    w.forEach((row, m) => {
      if (row.length !== K) throw new InvalidInputError(`invalid composition: windows[${t}][${m}] (${comp.stressors[m]!.name}) has ${row.length} fractions, expected one per thread (K = ${K})`)
    })
  })
  return comp
}

function describePath(path: PropertyKey[]): string {
  if (path.length === 0) return '(root)'
  const text = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('')
  if (path[0] === 'windows' && path.length === 4) return `${text} (window ${String(path[1])}, stressor ${String(path[2])}, thread ${String(path[3])})`
  return text
}
