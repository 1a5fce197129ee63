/**
 * Orchestrator configuration: defaults, a JSON file over them, validation with clear messages.
 * @module
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ConfigSchema } from '../common/config.js'
import { ConfigError } from '../common/errors.js'

/**
 * What an orchestrator token may do: `device` register and heartbeat (daemons' agents),
 * `submit` upload modules and place workloads, `read` list devices, placements and plots,
 * `admin` all of these and forgetting a device (DELETE /v1/devices/:id).
 */
export const ORCHESTRATOR_SCOPES = ['device', 'submit', 'read', 'admin'] as const
export type OrchestratorScope = typeof ORCHESTRATOR_SCOPES[number]

/** The daemon's token entry (name, sha256 digest) with the orchestrator's scopes. */
const TokenSchema = ConfigSchema.shape.tokens.element.extend({ scopes: z.array(z.enum(ORCHESTRATOR_SCOPES)).min(1) })

export const OrchestratorConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7080),
  dataDir: z.string().min(1).default('./.edgemime-orchestrator'),
  /** Heartbeat period daemons are told to use, ms. */
  heartbeatMs: z.number().int().min(50).default(1000),
  /** A device silent for this long is lost: its running work fails and is re-placed. */
  lostAfterMs: z.number().int().min(100).default(4000),
  defaultEps: z.number().gt(0).lt(1).default(0.1),
  /** Re-place the work of lost devices (and failed dispatches) while its deadline allows. */
  replace: z.boolean().default(true),
  /** Profile new workloads' opcode counts (features for never-seen workloads). */
  profile: z.boolean().default(true),
  /** Candidates listed in a placement's explanation. */
  explain: z.number().int().min(1).max(100).default(5),
  /** A trained Pitot model directory (`edgemime predictor train --out DIR`); default: the online model. */
  model: z.string().min(1).optional(),
  /** Largest upload (module + inputs), bytes. */
  maxBodyBytes: z.number().int().min(1024).default(32 * 2 ** 20),
  /**
   * Bearer tokens (sha256 digests, as the daemon's; mint one with `edgemime orchestrator token`).
   * None: the API is open, which is allowed only on a loopback host.
   */
  tokens: z.array(TokenSchema).default([]),
}).strict()
export type OrchestratorConfig = z.infer<typeof OrchestratorConfigSchema>

/**
 * Defaults, then the file at `path` (if any), validated.
 * @throws ConfigError naming the file and the offending field.
 */
export function loadOrchestratorConfig(path?: string, overrides: Partial<OrchestratorConfig> = {}): OrchestratorConfig {
  let file: unknown = {}
  if (path) {
    try { file = JSON.parse(readFileSync(path, 'utf8')) } catch (e) {
      throw new ConfigError(`cannot read orchestrator config ${path}: ${(e as Error).message}`)
    }
  }
  const r = OrchestratorConfigSchema.safeParse({ ...(file as object), ...overrides })
  if (!r.success) {
    const issue = r.error.issues[0]!
    throw new ConfigError(`invalid orchestrator config${path ? ` (${path})` : ''}: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
  return r.data
}
