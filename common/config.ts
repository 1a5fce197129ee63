/**
 * The device configuration: one defaults object (configs/default.json), one
 * normalise-and-validate step, typed result. Environment variables override single fields
 * (EDGEMIME_PORT=7071, EDGEMIME_CAPS_MAX_THREADS=1, ...). Bad values throw ConfigError at start.
 * @module
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ConfigError } from './errors.js'

export const CapsSchema = z.object({
  /** Stressor worker threads a composition may use. */
  maxThreads: z.number().int().min(1).max(1024),
  /** Total working-set bytes of all stressor buffers of one replay. */
  maxMemoryBytes: z.number().int().min(1 << 20),
  /** Directory where disk stressors create their files. */
  diskDir: z.string().min(1),
  /** Bytes of disk the disk stressors may occupy in diskDir. */
  diskQuotaBytes: z.number().int().min(0),
  /** Longest replay, in seconds (windows × window length × repeats). */
  maxDurationS: z.number().positive(),
})
export type Caps = z.infer<typeof CapsSchema>

export const ConfigSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  dataDir: z.string().min(1),
  caps: CapsSchema,
  /** Bearer tokens; stored as sha256 hex digests, never in clear. */
  tokens: z.array(z.object({
    name: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
    scopes: z.array(z.enum(['read', 'replay', 'admin'])).min(1),
  })),
  sampler: z.object({ periodS: z.number().min(0.1).max(60) }),
  /** Largest request body the API accepts, in bytes. */
  maxBodyBytes: z.number().int().min(1024),
  /**
   * Daemon stressor workers: 'low' (SCHED_IDLE + nice 19) keeps the API responsive and uses only
   * otherwise idle CPU; 'normal' competes for CPU time like any process (CPU contention).
   */
  /**
   * 'auto': stressors compete at full strength (nice 0) and the API thread is raised to stay
   * responsive; when raising is refused (no CAP_SYS_NICE), stressors run low instead. 'normal':
   * stressors at nice 0 whatever happens to the API. 'low': stressors at SCHED_IDLE + nice 19,
   * which keeps the API responsive but gives no CPU-time contention to normal-priority workloads.
   */
  workerPriority: z.enum(['auto', 'low', 'normal']),
  /**
   * Trace-to-composition generation through the daemon: `modelDir` is the trained generator model
   * POST /v1/generate uses (absent: generation is refused with a 409), `dataDir` the directory
   * collection jobs write their datasets under (absent: `<dataDir>/generator-data`).
   */
  generator: z.object({
    modelDir: z.string().min(1).optional(),
    dataDir: z.string().min(1).optional(),
  }).strict().optional(),
}).strict()
export type Config = z.infer<typeof ConfigSchema>

const DEFAULTS_URL = new URL('../../configs/default.json', import.meta.url)
const DEFAULTS_URL_SRC = new URL('../configs/default.json', import.meta.url)

/** The embedded default configuration (configs/default.json). */
export function defaultConfig(): Config {
  // Compiled code lives one level deeper (dist/common) than the sources (common/).
  const url = import.meta.url.includes('/dist/') ? DEFAULTS_URL : DEFAULTS_URL_SRC
  return ConfigSchema.parse(JSON.parse(readFileSync(url, 'utf8')))
}

/** Environment variables that override one field each, with how to parse them. */
const ENV: Record<string, (c: Config, v: string) => void> = {
  EDGEMIME_HOST: (c, v) => { c.host = v },
  EDGEMIME_PORT: (c, v) => { c.port = Number(v) },
  EDGEMIME_DATA_DIR: (c, v) => { c.dataDir = v },
  EDGEMIME_CAPS_MAX_THREADS: (c, v) => { c.caps.maxThreads = Number(v) },
  EDGEMIME_CAPS_MAX_MEMORY_BYTES: (c, v) => { c.caps.maxMemoryBytes = Number(v) },
  EDGEMIME_CAPS_DISK_DIR: (c, v) => { c.caps.diskDir = v },
  EDGEMIME_CAPS_DISK_QUOTA_BYTES: (c, v) => { c.caps.diskQuotaBytes = Number(v) },
  EDGEMIME_CAPS_MAX_DURATION_S: (c, v) => { c.caps.maxDurationS = Number(v) },
  EDGEMIME_SAMPLER_PERIOD_S: (c, v) => { c.sampler.periodS = Number(v) },
  EDGEMIME_WORKER_PRIORITY: (c, v) => { c.workerPriority = v as Config['workerPriority'] },
  EDGEMIME_GENERATOR_MODEL_DIR: (c, v) => { c.generator = { ...c.generator, modelDir: v } },
  EDGEMIME_GENERATOR_DATA_DIR: (c, v) => { c.generator = { ...c.generator, dataDir: v } },
}

/**
 * Loads the defaults, deep-merges the file at `path` over them, applies environment overrides
 * and validates the result.
 * @throws ConfigError naming the file and the offending field.
 */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const merged: Record<string, unknown> = structuredClone(defaultConfig())
  if (path) {
    let text: string
    try { text = readFileSync(path, 'utf8') } catch (e) {
      throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`)
    }
    let parsed: unknown
    try { parsed = JSON.parse(text) } catch (e) {
      throw new ConfigError(`config file ${path} is not valid JSON: ${(e as Error).message}`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`config file ${path} must hold a JSON object`)
    }
    deepMerge(merged, parsed as Record<string, unknown>)
  }
  for (const [name, apply] of Object.entries(ENV)) {
    const v = env[name]
    if (v !== undefined) apply(merged as Config, v)
  }
  const r = ConfigSchema.safeParse(merged)
  if (!r.success) {
    const issue = r.error.issues[0]!
    throw new ConfigError(`invalid config${path ? ` (${path})` : ''}: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
  return r.data
}

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k]
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
    } else {
      into[k] = v
    }
  }
}
