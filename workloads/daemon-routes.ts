/**
 * The device side of workload placement, mounted on a daemon through createDaemon's
 * `extraRoutes`: POST /v1/workloads/run runs one WASI workload in its own worker (runner.ts)
 * and answers with its RunResult once it ends. Guest failures are results (200), not errors.
 * A request whose connection closes stops its run.
 * @module
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from 'zod'
import { InvalidInputError } from '../common/errors.js'
import type { DaemonContext } from '../daemon/index.js'
import { runWorkload } from './runner.js'

/** Body of POST /v1/workloads/run (the orchestrator's dispatch). Binary fields are base64. */
export const RunRequestSchema = z.object({
  wasm: z.string().min(1),
  name: z.string().max(200).optional(),
  args: z.array(z.string().max(4096)).max(256).default([]),
  files: z.record(z.string(), z.string()).default({}),
  wallLimitMs: z.number().int().positive().max(3_600_000).optional(),
  memoryLimitBytes: z.number().int().positive().optional(),
}).strict()
export type RunRequest = z.input<typeof RunRequestSchema>

/** Mounts the workload routes; pass as (part of) createDaemon's extraRoutes. */
export function workloadRoutes(app: OpenAPIHono, ctx: DaemonContext): void {
  app.post('/v1/workloads/run', ctx.auth('replay'), async (c) => {
    const parsed = RunRequestSchema.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new InvalidInputError(`body.${issue.path.join('.')}: ${issue.message}`)
    }
    const r = parsed.data
    // A workload may not take more memory than a replay could on this device.
    const cap = ctx.config().caps.maxMemoryBytes
    const result = await runWorkload({
      wasm: Buffer.from(r.wasm, 'base64'),
      name: r.name, args: r.args,
      files: Object.fromEntries(Object.entries(r.files).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      wallLimitMs: r.wallLimitMs,
      memoryLimitBytes: Math.min(r.memoryLimitBytes ?? cap, cap),
    }, {
      cacheDir: `${ctx.config().dataDir}/components`,
      // The connection closing (the orchestrator died or gave up, the daemon shuts down) stops
      // the run: no one could take its result, and it would load the device unseen.
      signal: c.req.raw.signal,
    })
    return c.json(result)
  })
}
