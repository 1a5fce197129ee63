/**
 * Generation for the daemon: a target trace (CSV text) and a method in, a stressor composition
 * out, through the generator's public API with the model the config names. The generator is
 * imported on first use, so a daemon that never generates does not load onnxruntime.
 * @module
 */
import type { Config } from '../common/config.js'
import { CapExceededError, ConflictError, EdgemimeError, InvalidInputError } from '../common/errors.js'
import type { Method, Policy } from '../generator/index.js'

export interface GenerationRequest {
  /** Target trace as CSV text (time_s + the model's metrics; holes allowed). */
  csv: string
  /** The trace's name in the composition's metadata. */
  name: string
  method: Method
  seed: number
}

export interface Generated {
  composition: unknown
  source: string
  rows: number
  windowsPerRow: number
  seconds: number
}

/**
 * Generates a composition for a target trace with the configured model.
 * @throws ConflictError when no model is configured or it cannot run the method (daemon state);
 *   InvalidInputError for a bad trace; CapExceededError when the result would outlast caps.maxDurationS.
 */
export async function generateComposition(config: Config, req: GenerationRequest): Promise<Generated> {
  const modelDir = config.generator?.modelDir
  if (!modelDir) {
    throw new ConflictError(`no generator model is configured: set generator.modelDir in the daemon config (or EDGEMIME_GENERATOR_MODEL_DIR) to a directory made by \`edgemime generator train\``)
  }
  const g = await import('../generator/index.js')
  let parts: Awaited<ReturnType<typeof g.openParts>>
  try {
    parts = await g.openParts(modelDir)
  } catch (err) {
    if (err instanceof EdgemimeError) throw new ConflictError(`the configured generator model cannot be used: ${err.message}`)
    throw err
  }
  try {
    const { meta } = parts
    const target = g.parseTarget(req.csv, meta.space.metrics, req.name)
    const rows = g.targetRows(meta, target)
    const perRow = g.windowsPerRow(meta, target, false)
    const seconds = (rows.length * perRow * meta.space.windowMs) / 1000
    if (seconds > config.caps.maxDurationS) {
      throw new CapExceededError(`the composition would last ${seconds} s, over caps.maxDurationS ${config.caps.maxDurationS} s`)
    }
    let policy: Policy
    try {
      policy = g.policyFor(parts, req.method)
    } catch (err) {
      // The method was validated already: what is missing is a part of the configured model.
      if (err instanceof InvalidInputError) throw new ConflictError(`the configured model (${modelDir}) cannot run method ${req.method}: ${err.message}`)
      throw err
    }
    const windows = await g.generate(parts, yielding(policy), rows, perRow, { seed: req.seed })
    const source = `generated from trace ${req.name} by method ${req.method}`
    return { composition: g.toComposition(meta.space, windows, source), source, rows: rows.length, windowsPerRow: perRow, seconds }
  } finally {
    await parts.release()
  }
}

/**
 * Generation runs on the API thread and a baseline policy never awaits real work: give the event
 * loop a turn every few windows so the API keeps answering during a long trace.
 */
function yielding(policy: Policy, every = 4): Policy {
  let n = 0
  return async (...args) => {
    if (++n % every === 0) await new Promise((r) => setImmediate(r))
    return policy(...args)
  }
}
