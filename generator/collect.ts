/**
 * Training-data collection: run compositions on this device in rounds and store (previous
 * composition, composition, resulting trace window) for every window. `random` draws rounds
 * at random; `novelty` (MimeSys §4.2.3) draws 512 candidates per round and runs the 128 the
 * forests find most novel. Appends as it goes, so an interrupted run resumes where it stopped.
 * This is also the daemon's background-collection job: call it with a signal and onProgress.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { Rng } from '../ml/rng.js'
import { stressorCatalog } from '../stressors-wasm/catalog.js'
import { openDataset, type Dataset } from './dataset.js'
import { Device, foreignLoadWarning } from './device.js'
import { fitNovelty, selectNovel } from './novelty.js'
import { normalise, fitRanges } from './normalise.js'
import { compDim, randomComposition } from './space.js'
import { RECORD_SOURCES, type RecordSource } from './recorder.js'
import { DEFAULT_METRICS, DEFAULT_STRESSORS, type Space } from './types.js'

export type Strategy = 'random' | 'novelty'

export interface CollectOptions {
  /** Total windows the dataset should hold when done (resume counts those already there). */
  windows: number
  windowMs?: number
  out: string
  strategy?: Strategy
  threads?: number
  stressors?: string[]
  source?: RecordSource
  /**
   * MimeSys's rule: a thread runs CPU/memory or disk stressors in a window, never both. Off by
   * default: a core asked to compute and do I/O in the same second (every I/O-heavy trace) can
   * then get both, each in its own slices of the window.
   */
  oneKindPerThread?: boolean
  round?: number
  candidates?: number
  seed?: number
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
  /** Told once, in a sentence, when other processes' load makes a /proc source's labels unreliable. */
  onWarning?: (message: string) => void
}

/** Builds the space of a collection from stressor names (checked against the catalog). */
export function makeSpace(stressors: readonly string[], threads: number, windowMs: number, source: RecordSource = 'replay',
  mixedThreads = true, metrics: readonly string[] = DEFAULT_METRICS): Space {
  const catalog = stressorCatalog()
  const disk = stressors.map((name) => {
    const spec = catalog.find((s) => s.name === name)
    if (!spec) throw new InvalidInputError(`unknown stressor '${name}'`)
    return spec.family === 'disk'
  })
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidInputError(`threads must be a positive integer, got ${threads}`)
  if (!(windowMs >= 50)) throw new InvalidInputError(`window must be at least 50 ms, got ${windowMs}`)
  if (!RECORD_SOURCES.includes(source)) throw new InvalidInputError(`record source must be one of ${RECORD_SOURCES.join(', ')}, got '${source}'`)
  return { stressors: [...stressors], disk, mixedThreads, threads, metrics: [...metrics], windowMs, source }
}

/**
 * Collects until the dataset in `out` holds `windows` samples; returns it.
 * @throws InvalidInputError for bad options or a dataset of another space in `out`.
 */
export async function collect({
  windows, windowMs = 250, out, strategy = 'novelty', threads = 2, stressors = [...DEFAULT_STRESSORS],
  source = 'replay', oneKindPerThread = false, round = 128, candidates = 512, seed = 0, signal, onProgress, onWarning,
}: CollectOptions): Promise<Dataset> {
  if (!Number.isInteger(windows) || windows < 1) throw new InvalidInputError(`windows must be a positive integer, got ${windows}`)
  if (strategy !== 'random' && strategy !== 'novelty') throw new InvalidInputError(`strategy must be random or novelty, got '${String(strategy)}'`)
  const space = makeSpace(stressors, threads, windowMs, source, !oneKindPerThread)
  const ds = openDataset(out, { version: 1, space, strategy })
  const rng = new Rng(seed * 7919 + ds.samples.length)
  const device = await Device.open(space)
  let warned = false
  try {
    while (ds.samples.length < windows && !signal?.aborted) {
      const n = Math.min(round, windows - ds.samples.length)
      const plan = strategy === 'novelty' && ds.samples.length >= 2 * round
        ? novelRound(space, ds, rng, n, candidates, seed)
        : Array.from({ length: n }, () => randomComposition(space, rng))
      const roundNo = Math.floor(ds.samples.length / round)
      let prev = ds.samples.at(-1)?.comp ?? new Float32Array(compDim(space))
      await device.run(space, plan, {
        signal,
        onWindow: (t, obs) => {
          ds.append({ prev, comp: plan[t]!, obs }, roundNo)
          prev = plan[t]!
          onProgress?.(ds.samples.length, windows)
        },
      })
      const warning = warned ? null : foreignLoadWarning(device)
      if (warning) { warned = true; onWarning?.(warning) }
    }
  } finally {
    await device.close()
  }
  return ds
}

/** One novelty-guided round: fit forests on what is collected, keep the most novel candidates. */
function novelRound(space: Space, ds: Dataset, rng: Rng, n: number, candidates: number, seed: number): Float32Array[] {
  const D = compDim(space)
  const N = space.metrics.length
  const ranges = fitRanges(space.metrics, ds.samples.map((s) => s.obs))
  const x = new Float32Array(ds.samples.length * D)
  const y = new Float32Array(ds.samples.length * N)
  ds.samples.forEach((s, i) => { x.set(s.comp, i * D); y.set(normalise(ranges, s.obs), i * N) })
  const model = fitNovelty(x, y, D, N, { seed })
  const cand = Array.from({ length: Math.max(candidates, n) }, () => randomComposition(space, rng))
  const flat = new Float32Array(cand.length * D)
  cand.forEach((c, i) => flat.set(c, i * D))
  return selectNovel(model, flat, y, n).map((i) => cand[i]!)
}
