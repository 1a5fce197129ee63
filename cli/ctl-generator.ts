/**
 * `edgemime ctl generate` and `edgemime ctl jobs`: trace-to-composition generation on a daemon
 * and its background collection jobs, with a live progress bar fed by the job's server-sent events.
 * @module
 */
import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import type { CompositionEntry, JobRecord } from '../daemon/index.js'
import { CLIENT_OPTIONS, currentOrLatestRecord, currentRecord, DaemonClient } from './client.js'
import { follow } from './ctl-follow.js'
import { output, table, time } from './ctl-format.js'
import { replayCommand } from './ctl-replay.js'

export const GENERATOR_USAGE = `edgemime ctl generate --trace FILE.csv|FILE.json | --trace-id ID [--method diffusion|search|interpolate|single]
                      [--id ID] [--name N] [--seed S] [--replay]   store a generated composition (--replay: and play it)
edgemime ctl jobs start --windows N [--name DATASET] [--window-ms W] [--strategy random|novelty] [--one-kind-per-thread] [--detach]
edgemime ctl jobs watch|status|stop [ID]   (default: the running job)  |  edgemime ctl jobs list [--limit N]`

type Generated = Omit<CompositionEntry, 'composition'> & { source: string; generation: { elapsedMs: number } }

/** Runs `edgemime ctl generate ...`. */
export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CLIENT_OPTIONS, trace: { type: 'string' }, 'trace-id': { type: 'string' }, method: { type: 'string' }, id: { type: 'string' },
      name: { type: 'string' }, seed: { type: 'string' }, replay: { type: 'boolean', default: false },
    },
  })
  const client = new DaemonClient(values)
  if (!values.trace === !values['trace-id']) throw new InvalidInputError(`ctl generate: give --trace FILE or --trace-id ID\n${GENERATOR_USAGE}`)
  const body: Record<string, unknown> = {}
  if (values.trace) {
    body.trace = readTrace(values.trace)
    body.name = values.name ?? basename(values.trace, extname(values.trace))
  } else {
    body.traceId = values['trace-id']
    if (values.name) body.name = values.name
  }
  if (values.method) body.method = values.method
  if (values.id) body.id = values.id
  if (values.seed) body.seed = Number(values.seed)
  const g = await client.json<Generated>('/v1/generate', { method: 'POST', body })
  const auth = [...(values.url ? ['--url', values.url] : []), ...(values.token ? ['--token', values.token] : [])]
  if (values.replay && !values.json) {
    process.stderr.write(`stored composition ${g.id} (${g.source}); replaying it\n`)
    return replayCommand(['start', '--composition', g.id, ...auth])
  }
  output(values.json, g, () => `stored composition ${g.id}: ${g.windows} windows x ${g.windowMs} ms on ${g.threads} threads, ${g.source} in ${g.generation.elapsedMs} ms\n` +
    `replay it: edgemime ctl replay start --composition ${g.id}\n`)
  return 0
}

/** Runs `edgemime ctl jobs ...`. */
export async function jobsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: {
      ...CLIENT_OPTIONS, windows: { type: 'string' }, name: { type: 'string' }, 'window-ms': { type: 'string' }, strategy: { type: 'string' },
      'one-kind-per-thread': { type: 'boolean' }, detach: { type: 'boolean', default: false }, limit: { type: 'string', default: '20' },
    },
  })
  const client = new DaemonClient(values)
  const json = values.json
  switch (sub) {
    case 'start': {
      if (!values.windows) throw new InvalidInputError(`ctl jobs start: give --windows N\n${GENERATOR_USAGE}`)
      const body: Record<string, unknown> = { windows: Number(values.windows) }
      if (values.name) body.name = values.name
      if (values['window-ms']) body.windowMs = Number(values['window-ms'])
      if (values.strategy) body.strategy = values.strategy
      if (values['one-kind-per-thread']) body.oneKindPerThread = true
      const j = await client.json<JobRecord>('/v1/generator/jobs', { method: 'POST', body })
      if (json || values.detach) {
        output(json, j, () => `job ${j.id} collecting ${j.windows} windows of ${j.windowMs} ms (${j.strategy}) into ${j.dir}\n`)
        return 0
      }
      process.stderr.write(`job ${j.id}: collecting ${j.windows} windows of ${j.windowMs} ms (${j.strategy}) into ${j.dir}\n`)
      return watch(client, j.id)
    }
    case 'watch':
      return watch(client, positionals[0] ?? (await currentRecord<JobRecord>(client, '/v1/generator/jobs', 'collection job')).id)
    case 'status': {
      const j = positionals[0] ? await client.json<JobRecord>(`/v1/generator/jobs/${positionals[0]}`) : await currentOrLatestRecord<JobRecord>(client, '/v1/generator/jobs', 'collection job')
      output(json, j, () => describe(j))
      return 0
    }
    case 'stop': {
      const id = positionals[0] ?? (await currentRecord<JobRecord>(client, '/v1/generator/jobs', 'collection job')).id
      const j = await client.json<JobRecord>(`/v1/generator/jobs/${id}`, { method: 'DELETE' })
      output(json, j, () => describe(j))
      return 0
    }
    case 'list': {
      const js = await client.json<JobRecord[]>(`/v1/generator/jobs?limit=${Number(values.limit)}`)
      output(json, js, () => table([['ID', 'DATASET', 'STATE', 'WINDOWS', 'STRATEGY', 'CREATED'],
        ...js.map((j) => [j.id, j.name, j.state, `${j.windowsDone}/${j.windows} x ${j.windowMs} ms`, j.strategy, time(j.createdAt)])]))
      return 0
    }
    default:
      throw new InvalidInputError(`ctl jobs: unknown subcommand '${sub ?? ''}'\n${GENERATOR_USAGE}`)
  }
}

/** A trace file as the API takes it: JSON (the daemon's JSON trace form) or CSV text. */
function readTrace(path: string): unknown {
  let text: string
  try { text = readFileSync(path, 'utf8') } catch (e) { throw new InvalidInputError(`cannot read ${path}: ${(e as Error).message}`) }
  if (extname(path).toLowerCase() !== '.json') return text
  try { return JSON.parse(text) } catch (e) { throw new InvalidInputError(`${path} is not JSON: ${(e as Error).message}`) }
}

/** Follows a job's events with a progress bar until it ends; Ctrl-C detaches. */
function watch(client: DaemonClient, id: string): Promise<number> {
  return follow<JobRecord>(client, {
    path: `/v1/generator/jobs/${id}/events`,
    bar: (j) => ({ title: `collect ${j.name}`, total: j.windows }),
    progress: { event: 'progress', detail: (_, cpu) => cpu },
    ended: (j) => j.state !== 'running',
    detached: `detached; the job goes on (edgemime ctl jobs stop ${id})`,
    describe,
  })
}

function describe(j: JobRecord): string {
  return table([
    ['job', j.id], ['dataset', `${j.name} (${j.dir})`], ['state', j.state + (j.reason ? ` (${j.reason})` : '')],
    ['windows', `${j.windowsDone}/${j.windows} x ${j.windowMs} ms, ${j.strategy}`],
    ['created', time(j.createdAt)], ['ended', time(j.endedAt)],
  ])
}
