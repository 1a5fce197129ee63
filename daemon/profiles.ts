/**
 * The bundled library of named contention profiles (configs/profiles.json, traces in
 * configs/traces/), built into compositions for this device: one thread per core, buffers as
 * the catalog sizes them from the device's caches, shrunk where the caps demand it.
 * @module
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import type { Caps } from '../common/config.js'
import { ConfigError, NotFoundError } from '../common/errors.js'
import {
  compositionFootprint, parseComposition, stressorCatalog, type Composition, type StressorSpec,
} from '../stressors-wasm/index.js'
import { buildFromTrace, buildSynthetic, type RawComposition } from './profile-builders.js'

const Fractions = z.array(z.union([z.number().min(0).max(1), z.array(z.number().min(0).max(1)).min(1)]))
const Common = { name: z.string().regex(/^[a-z0-9-]+$/), description: z.string() }
const LibrarySchema = z.object({
  profiles: z.array(z.union([
    z.object({
      ...Common, windowMs: z.number().positive(), threads: z.union([z.literal('all'), z.number().int().min(1)]),
      cycles: z.number().int().min(1), stressors: z.array(z.string()).min(1),
      phases: z.array(z.object({ windows: z.number().int().min(1), fractions: Fractions })).min(1),
    }).strict(),
    z.object({ ...Common, trace: z.string(), blend: z.record(z.string(), z.number().min(0).max(1)) }).strict(),
  ])),
  traceDisk: z.object({ read: z.string(), write: z.string(), readBytesPerS: z.number().positive(), writeBytesPerS: z.number().positive() }),
}).strict()
type Library = z.infer<typeof LibrarySchema>

/** configs/ beside the sources, or two levels up from dist/daemon. */
export const CONFIGS_DIR = new URL(import.meta.url.includes('/dist/') ? '../../configs/' : '../configs/', import.meta.url)

export interface ProfileInfo {
  name: string
  description: string
  kind: 'synthetic' | 'trace'
  windowMs: number
  windows: number
  threads: number
  stressors: string[]
}

export class ProfileLibrary {
  readonly #lib: Library
  readonly #cores: number
  readonly #caps: () => Caps
  readonly #catalog: StressorSpec[] = stressorCatalog()

  /**
   * @param cores the device's core count (from its fingerprint).
   * @throws ConfigError when the library file is missing or malformed.
   */
  constructor(cores: number, caps: () => Caps, file = new URL('profiles.json', CONFIGS_DIR)) {
    let parsed: unknown
    try { parsed = JSON.parse(readFileSync(file, 'utf8')) } catch (e) {
      throw new ConfigError(`cannot read profile library ${fileURLToPath(file)}: ${(e as Error).message}`)
    }
    const r = LibrarySchema.safeParse(parsed)
    if (!r.success) throw new ConfigError(`profile library ${fileURLToPath(file)}: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`)
    this.#lib = r.data
    this.#cores = cores
    this.#caps = caps
  }

  names(): string[] {
    return this.#lib.profiles.map((p) => p.name)
  }

  /** Every profile with its shape on this device. */
  list(): ProfileInfo[] {
    return this.#lib.profiles.map((p) => {
      const c = this.build(p.name)
      return {
        name: p.name, description: p.description, kind: 'trace' in p ? 'trace' : 'synthetic',
        windowMs: c.windowMs, windows: c.windows.length, threads: c.threads, stressors: c.stressors.map((s) => s.name),
      }
    })
  }

  /**
   * The profile as a validated composition sized for this device and its current caps.
   * @throws NotFoundError for an unknown name.
   */
  build(name: string): Composition {
    const def = this.#lib.profiles.find((p) => p.name === name)
    if (!def) throw new NotFoundError(`no profile '${name}'; profiles: ${this.names().join(', ')}`)
    const caps = this.#caps()
    const raw = 'trace' in def
      ? buildFromTrace(def, fileURLToPath(new URL(def.trace, CONFIGS_DIR)), this.#lib.traceDisk, this.#cores, caps.maxThreads)
      : buildSynthetic(def, this.#cores, caps.maxThreads)
    return this.#fit(parseComposition(raw satisfies RawComposition, this.#catalog), caps)
  }

  /** Shrinks buffers (and disk files) proportionally until the footprint is within the caps. */
  #fit(comp: Composition, caps: Caps): Composition {
    const f = compositionFootprint(comp, 1, this.#catalog)
    const scale = (limit: number, need: number, keys: string[]) => {
      if (need <= limit) return
      const ratio = limit / need
      comp.stressors.forEach((s) => {
        const spec = this.#catalog.find((c) => c.name === s.name)!
        for (const key of keys) {
          const p = spec.params[key]
          if (!p) continue
          const want = Math.floor(((s.params[key] ?? p.default) * ratio) / 4096) * 4096
          s.params[key] = Math.max(p.min, Math.min(p.max, want))
        }
      })
    }
    scale(caps.maxMemoryBytes, f.memoryBytes, ['bufferBytes', 'entries'])
    scale(caps.diskQuotaBytes, f.diskBytes, ['fileBytes'])
    return comp
  }
}
