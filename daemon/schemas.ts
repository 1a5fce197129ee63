/**
 * Request and response schemas of the HTTP API. Handlers validate with these and the OpenAPI
 * document is generated from them, so the two cannot drift apart.
 * @module
 */
import { z } from '@hono/zod-openapi'
import { CompositionSchema } from '../stressors-wasm/index.js'

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: 'EM_INVALID_INPUT' }),
    message: z.string().openapi({ example: 'composition.windows[0]: expected 2 threads, got 3' }),
  }),
}).openapi('Error')

export const IdParam = z.object({
  id: z.string().min(1).max(128).openapi({ param: { name: 'id', in: 'path' } }),
})

export const NameParam = z.object({
  name: z.string().min(1).max(128).openapi({ param: { name: 'name', in: 'path' } }),
})

const Timing = z.object({ meanAbsErrorFraction: z.number(), maxStartDriftMs: z.number() })

export const ReplayRecordSchema = z.object({
  id: z.string(),
  source: z.union([
    z.object({ kind: z.literal('profile'), name: z.string() }),
    z.object({ kind: z.literal('composition'), id: z.string() }),
    z.object({ kind: z.literal('inline') }),
  ]),
  state: z.enum(['scheduled', 'running', 'completed', 'stopped', 'failed', 'interrupted']),
  createdAt: z.number().openapi({ description: 'epoch ms' }),
  startAt: z.number(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  repeat: z.number().int(),
  windowMs: z.number(),
  threads: z.number().int(),
  windowsTotal: z.number().int(),
  windowsDone: z.number().int(),
  timing: Timing.optional(),
  reason: z.string().optional(),
}).openapi('Replay')

export const WindowSummarySchema = z.object({
  index: z.number().int(),
  startMs: z.number(),
  startDriftMs: z.number(),
  plannedMs: z.array(z.number()).openapi({ description: 'per thread, planned busy milliseconds' }),
  executedMs: z.array(z.number()),
  meanAbsErrorFraction: z.number(),
  ops: z.number(),
  bytes: z.number(),
}).openapi('WindowSummary')

export const StartReplaySchema = z.object({
  profile: z.string().min(1).optional().openapi({ example: 'cpu-burst' }),
  compositionId: z.string().min(1).optional(),
  composition: CompositionSchema.optional().openapi({ description: 'an inline composition (validated like an upload)' }),
  repeat: z.number().int().min(1).max(1_000_000).default(1),
  startAt: z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()]).optional()
    .openapi({ description: 'ISO time or epoch ms of the first window (default: now)' }),
}).strict().refine(
  (b) => [b.profile, b.compositionId, b.composition].filter((v) => v !== undefined).length === 1,
  { message: 'give exactly one of profile, compositionId, composition' },
).openapi('StartReplay')

export const CompositionEntrySchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  windowMs: z.number(),
  threads: z.number().int(),
  windows: z.number().int(),
  stressors: z.array(z.string()),
}).openapi('CompositionSummary')

export const UploadCompositionSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, . _ -; at most 64 characters'),
  composition: CompositionSchema,
}).strict().openapi('UploadComposition')

export const ProfileSchema = z.object({
  name: z.string(),
  description: z.string(),
  kind: z.enum(['synthetic', 'trace']),
  windowMs: z.number(),
  windows: z.number().int(),
  threads: z.number().int(),
  stressors: z.array(z.string()),
}).openapi('Profile')

export const TraceMetaSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(['recording', 'completed', 'interrupted']),
  periodS: z.number(),
  createdAt: z.number(),
  endedAt: z.number().optional(),
  durationS: z.number().optional(),
  columns: z.array(z.string()),
  rows: z.number().int(),
}).openapi('TraceSummary')

export const StartTraceSchema = z.object({
  name: z.string().min(1).max(128).default('trace'),
  periodS: z.number().min(0.1).max(60).optional().openapi({ description: 'default: config sampler.periodS' }),
  durationS: z.number().positive().max(7 * 86400).optional().openapi({ description: 'stop on its own after this long' }),
}).strict().openapi('StartTrace')

export const TraceFormatQuery = z.object({
  format: z.enum(['csv', 'json']).default('csv'),
})
