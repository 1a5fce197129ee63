/**
 * Workload features as in the dataset: per-opcode dynamic execution counts, ln(1 + count), in
 * workloads.csv column order, from one run of an instrumented copy of the module. Profiles are
 * cached by module hash (and arguments, which change the counts) in memory and, optionally,
 * as JSON files in a directory.
 * @module
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError } from '../common/errors.js'
import { moduleHash, wasmKind } from './component.js'
import { embeddedCommandModule } from './component-modules.js'
import { DATASET_OPCODES } from './dataset-opcodes.js'
import { instrumentInWorker } from './instrument-host.js'
import { runWorkload } from './runner.js'
import type { WorkloadSpec } from './types.js'

export interface WorkloadProfile {
  /** sha256 of the module bytes. */
  hash: string
  /** Cache key: module hash + digest of the arguments and input files. */
  key: string
  /** ln(1 + dynamic count) per dataset opcode column (141 values). */
  features: number[]
  /** Dynamic count per opcode byte (hex key, e.g. "6a"), opcodes seen only. */
  counts: Record<string, number>
  /** Total counted instructions. */
  instructions: number
  /** Runtime of the instrumented run, ms (slower than the original). */
  profiledMs: number
}

/** Profiles workloads once per key; concurrent requests for the same key share one run. */
export class ProfileCache {
  readonly #dir: string | undefined
  readonly #memo = new Map<string, Promise<WorkloadProfile>>()

  /** @param dir where profiles persist as `<key>.json`; memory only when omitted. */
  constructor(dir?: string) { this.#dir = dir }

  /**
   * The profile of `spec`, from cache or from one instrumented run.
   * @throws InvalidInputError for components without an embedded preview1 command (see
   *   component-modules.ts) and for modules whose instrumented run does not finish with exit code 0.
   */
  profile(spec: WorkloadSpec): Promise<WorkloadProfile> {
    const key = profileKey(spec)
    let p = this.#memo.get(key)
    if (!p) {
      p = this.#load(key, spec)
      this.#memo.set(key, p)
      p.catch(() => this.#memo.delete(key))
    }
    return p
  }

  async #load(key: string, spec: WorkloadSpec): Promise<WorkloadProfile> {
    const file = this.#dir ? join(this.#dir, `${key}.json`) : undefined
    if (file) {
      try { return JSON.parse(await readFile(file, 'utf8')) as WorkloadProfile } catch { /* not cached yet */ }
    }
    const profile = await profileOnce(spec, key)
    if (file) {
      await mkdir(this.#dir!, { recursive: true })
      await writeFile(file, JSON.stringify(profile))
    }
    return profile
  }
}

/** Module hash + a digest of what else changes the dynamic counts (arguments, input files). */
export function profileKey(spec: WorkloadSpec): string {
  const inputs = createHash('sha256').update(JSON.stringify(spec.args ?? []))
  for (const [name, content] of Object.entries(spec.files ?? {}).sort(([a], [b]) => a.localeCompare(b))) inputs.update(name).update(content)
  return `${moduleHash(spec.wasm)}-${inputs.digest('hex').slice(0, 16)}`
}

async function profileOnce(spec: WorkloadSpec, key: string): Promise<WorkloadProfile> {
  // A component is profiled through the preview1 command inside it: same program, same counts.
  const core = wasmKind(spec.wasm) === 'preview1' ? spec.wasm : embeddedCommandModule(spec.wasm)
  if (!core) {
    throw new InvalidInputError('opcode profiling needs a preview1 core module or a component made from one with the WASI preview1 adapter; this component has none')
  }
  const { wasm, histograms } = await instrumentInWorker(core)
  const run = await runWorkload({ ...spec, wasm }, { counters: histograms.length })
  if (run.status !== 'ok' || !run.counters) {
    throw new InvalidInputError(`profiling run did not finish cleanly (${run.status}: ${run.message})`)
  }
  const counts = new Float64Array(256)
  run.counters.forEach((n, region) => {
    if (n > 0) for (const [op, k] of histograms[region]!) counts[op]! += n * k
  })
  const seen: Record<string, number> = {}
  let instructions = 0
  counts.forEach((c, op) => { if (c > 0) { seen[op.toString(16)] = c; instructions += c } })
  return {
    hash: moduleHash(spec.wasm), key,
    features: DATASET_OPCODES.map((op) => Math.log1p(counts[op]!)),
    counts: seen, instructions, profiledMs: run.runtimeMs,
  }
}
