/**
 * The collection dataset on disk: `meta.json` (the space: stressors, threads, metrics, window)
 * and `samples.jsonl`, one (previous composition, composition, resulting trace window) per
 * line, appended as windows complete. A crash loses at most the line being written, which the
 * next open drops, so collection resumes where it stopped.
 * @module
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidInputError, NotFoundError } from '../common/errors.js'
import { checkWindow } from './space.js'
import type { Sample, Space } from './types.js'

/** meta.json of a dataset directory. */
export interface DatasetMeta {
  version: 1
  space: Space
  /** Strategy of each collection run that appended to this dataset. */
  strategy: string
}

/** An open dataset: its space, the samples so far, and an appender. */
export interface Dataset {
  dir: string
  meta: DatasetMeta
  samples: Sample[]
  append(s: Sample, round: number): void
}

/**
 * Opens `dir`, creating it with `meta` when it holds no dataset yet.
 * @throws InvalidInputError when an existing dataset's space differs from `meta`'s, or a line is corrupt.
 */
export function openDataset(dir: string, meta?: DatasetMeta): Dataset {
  const metaPath = join(dir, 'meta.json')
  const dataPath = join(dir, 'samples.jsonl')
  let current: DatasetMeta
  if (existsSync(metaPath)) {
    current = JSON.parse(readFileSync(metaPath, 'utf8')) as DatasetMeta
    if (meta && spaceKey(meta.space) !== spaceKey(current.space)) {
      const oneKind = !current.space.mixedThreads && meta.space.mixedThreads ? ' (its threads ran one kind of stressor per window: resume it with --one-kind-per-thread, or oneKindPerThread in the API)' : ''
      throw new InvalidInputError(`dataset ${dir} was collected with a different space (stressors/threads/metrics/window/source)${oneKind}; use another --out`)
    }
  } else {
    if (!meta) throw new NotFoundError(`no dataset in ${dir} (missing meta.json)`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(metaPath, JSON.stringify(meta, null, 2))
    current = meta
  }
  const samples = existsSync(dataPath) ? readSamples(dataPath, current.space) : []
  return {
    dir, meta: current, samples,
    append(s, round) {
      appendFileSync(dataPath, JSON.stringify({ prev: [...s.prev], comp: [...s.comp], obs: [...s.obs], round }) + '\n')
      samples.push(s)
    },
  }
}

/** A space's identity: key order and an absent `mixedThreads` (datasets from before it) do not count. */
function spaceKey(s: Space): string {
  const full = { ...s, mixedThreads: s.mixedThreads ?? false }
  return JSON.stringify(full, Object.keys(full).sort())
}

function readSamples(path: string, space: Space): Sample[] {
  const text = readFileSync(path, 'utf8')
  const end = text.lastIndexOf('\n') + 1
  // A partial last line is what an interrupted append leaves: drop it so appends stay aligned.
  if (end < text.length) truncateSync(path, end)
  const out: Sample[] = []
  text.slice(0, end).split('\n').forEach((line, i) => {
    if (line === '') return
    let j: { prev: number[]; comp: number[]; obs: number[] }
    try { j = JSON.parse(line) } catch { throw new InvalidInputError(`${path}: line ${i + 1} is not JSON`) }
    checkWindow(space, j.prev, `${path}: line ${i + 1}: prev`)
    checkWindow(space, j.comp, `${path}: line ${i + 1}: comp`)
    if (j.obs?.length !== space.metrics.length) throw new InvalidInputError(`${path}: line ${i + 1}: obs has ${j.obs?.length} values, expected ${space.metrics.length}`)
    out.push({ prev: Float32Array.from(j.prev), comp: Float32Array.from(j.comp), obs: Float32Array.from(j.obs) })
  })
  return out
}
