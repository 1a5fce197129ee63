/**
 * Request and response schemas of the HTTP API. Handlers validate with these and the OpenAPI
 * document is generated from them, so the two cannot drift apart.
 * @module
 */
import { z } from '@hono/zod-openapi'
import { METHODS } from '../generator/types.js'
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

/** Ids and names that are safe as store keys and directory names. */
const Slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, . _ -; at most 64 characters')

export const UploadCompositionSchema = z.object({
  id: Slug,
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

/** The JSON form of a trace (as GET /v1/traces/{id}/data?format=json gives it); null marks a missing value. */
export const TraceJsonSchema = z.object({
  columns: z.array(z.string()).min(1),
  rows: z.array(z.array(z.number().nullable())),
  meta: z.unknown().optional(),
}).openapi('TraceJson')

export const GenerateSchema = z.object({
  trace: z.union([
    z.string().min(1).openapi({ description: "CSV text: time_s and the model's metrics; empty cells, dropped rows and absent metrics are tolerated" }),
    TraceJsonSchema,
  ]).optional(),
  traceId: z.string().min(1).max(128).optional().openapi({ description: 'a trace recorded by this daemon (POST /v1/traces)' }),
  name: z.string().min(1).max(128).optional().openapi({ description: "the trace's name in the composition's metadata (default: the trace id, or 'uploaded')" }),
  method: z.enum(METHODS).default('diffusion'),
  id: Slug.optional().openapi({ description: 'id of the stored composition (default: a new g-... id)' }),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
}).strict().refine(
  (b) => (b.trace === undefined) !== (b.traceId === undefined),
  { message: 'give exactly one of trace, traceId' },
).openapi('Generate')

export const GeneratedSchema = CompositionEntrySchema.extend({
  source: z.string().openapi({ example: 'generated from trace build-burst by method diffusion' }),
  generation: z.object({
    method: z.enum(METHODS),
    trace: z.string(),
    rows: z.number().int(),
    windowsPerRow: z.number().int(),
    seconds: z.number().openapi({ description: 'replay length of the composition' }),
    elapsedMs: z.number().openapi({ description: 'time generation took' }),
  }),
}).openapi('Generated')

export const StartJobSchema = z.object({
  name: Slug.default('collection').openapi({ description: 'dataset directory under generator.dataDir; an existing dataset of the same space is resumed' }),
  windows: z.number().int().min(1).max(1_000_000).openapi({ description: 'samples the dataset should hold when the job ends' }),
  windowMs: z.number().int().min(50).max(60_000).default(250),
  strategy: z.enum(['random', 'novelty']).default('novelty'),
  oneKindPerThread: z.boolean().default(false).openapi({ description: "MimeSys's rule: a thread runs CPU/memory or disk stressors in a window, never both (by default it may do both); a dataset collected that way resumes only with it" }),
}).strict().openapi('StartCollectionJob')

export const JobRecordSchema = z.object({
  id: z.string(),
  kind: z.literal('collect'),
  name: z.string(),
  dir: z.string().openapi({ description: 'the dataset directory on the device (edgemime generator train --data DIR)' }),
  state: z.enum(['running', 'completed', 'stopped', 'failed', 'interrupted']),
  strategy: z.enum(['random', 'novelty']),
  /** Absent in records from before the option existed (they collected one kind per thread). */
  oneKindPerThread: z.boolean().optional(),
  windowMs: z.number(),
  windows: z.number().int(),
  windowsDone: z.number().int(),
  createdAt: z.number(),
  endedAt: z.number().optional(),
  reason: z.string().optional(),
}).openapi('GeneratorJob')
