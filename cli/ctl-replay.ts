/**
 * `edgemime ctl replay start|watch|status|stop|list|windows`: replays on a daemon, with a live
 * progress bar fed by the replay's server-sent events.
 * @module
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import type { ReplayRecord, WindowSummary } from '../daemon/index.js'
import { CLIENT_OPTIONS, currentOrLatestRecord, currentRecord, DaemonClient } from './client.js'
import { follow } from './ctl-follow.js'
import { output, percent, table, time } from './ctl-format.js'

export const REPLAY_USAGE = `edgemime ctl replay start PROFILE | --composition ID | --file FILE.json [--repeat N] [--at TIME] [--detach]
edgemime ctl replay watch [ID]          live progress (default: the current replay)
edgemime ctl replay status [ID]         a replay's record (default: current, else the latest)
edgemime ctl replay stop [ID]           stop it (default: the current replay)
edgemime ctl replay list [--limit N]
edgemime ctl replay windows ID          per-window planned vs executed time
edgemime ctl replay plot ID --out FILE.svg|png`

const ENDED = new Set(['completed', 'stopped', 'failed', 'interrupted'])

export async function replayCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: {
      ...CLIENT_OPTIONS, composition: { type: 'string' }, file: { type: 'string' }, repeat: { type: 'string' },
      at: { type: 'string' }, out: { type: 'string', short: 'o' }, detach: { type: 'boolean', default: false }, limit: { type: 'string', default: '20' },
    },
  })
  const client = new DaemonClient(values)
  const json = values.json
  switch (sub) {
    case 'start': {
      const body: Record<string, unknown> = {}
      if (positionals[0]) body.profile = positionals[0]
      if (values.composition) body.compositionId = values.composition
      if (values.file) body.composition = readJson(values.file)
      if (values.repeat) body.repeat = Number(values.repeat)
      if (values.at) body.startAt = startTime(values.at)
      const r = await client.json<ReplayRecord>('/v1/replays', { method: 'POST', body })
      if (json || values.detach) {
        output(json, r, () => `replay ${r.id} ${r.state} (${r.windowsTotal} windows of ${r.windowMs} ms on ${r.threads} threads)\n`)
        return 0
      }
      process.stderr.write(`replay ${r.id} ${r.state}: ${r.windowsTotal} windows of ${r.windowMs} ms on ${r.threads} threads\n`)
      return watch(client, r.id)
    }
    case 'watch':
      return watch(client, positionals[0] ?? (await currentRecord<ReplayRecord>(client, '/v1/replays', 'replay')).id)
    case 'status': {
      const r = positionals[0] ? await client.json<ReplayRecord>(`/v1/replays/${positionals[0]}`) : await currentOrLatestRecord<ReplayRecord>(client, '/v1/replays', 'replay')
      output(json, r, () => describe(r))
      return 0
    }
    case 'stop': {
      const id = positionals[0] ?? (await currentRecord<ReplayRecord>(client, '/v1/replays', 'replay')).id
      const r = await client.json<ReplayRecord>(`/v1/replays/${id}/stop`, { method: 'POST' })
      output(json, r, () => describe(r))
      return 0
    }
    case 'list': {
      const rs = await client.json<ReplayRecord[]>(`/v1/replays?limit=${Number(values.limit)}`)
      output(json, rs, () => table([['ID', 'SOURCE', 'STATE', 'WINDOWS', 'ERROR', 'CREATED'],
        ...rs.map((r) => [r.id, source(r), r.state, `${r.windowsDone}/${r.windowsTotal}`, percent(r.timing?.meanAbsErrorFraction), time(r.createdAt)])]))
      return 0
    }
    case 'windows': {
      if (!positionals[0]) throw new InvalidInputError('ctl replay windows: give a replay id')
      const ws = await client.json<WindowSummary[]>(`/v1/replays/${positionals[0]}/windows`)
      output(json, ws, () => table([['WINDOW', 'DRIFT MS', 'PLANNED MS', 'EXECUTED MS', 'ERROR'],
        ...ws.map((w) => [w.index, w.startDriftMs.toFixed(2), w.plannedMs.map(Math.round).join('/'), w.executedMs.map(Math.round).join('/'), percent(w.meanAbsErrorFraction)])]))
      return 0
    }
    case 'plot': {
      if (!positionals[0] || !values.out) throw new InvalidInputError('ctl replay plot ID --out FILE.svg|png')
      await client.saveChart(`/v1/replays/${positionals[0]}/plot`, values.out)
      process.stderr.write(`wrote ${values.out}\n`)
      return 0
    }
    default:
      throw new InvalidInputError(`ctl replay: unknown subcommand '${sub ?? ''}'\n${REPLAY_USAGE}`)
  }
}

/** Follows a replay's events with a progress bar until it ends; Ctrl-C detaches. */
function watch(client: DaemonClient, id: string): Promise<number> {
  return follow<ReplayRecord>(client, {
    path: `/v1/replays/${id}/events`,
    bar: (r) => ({ title: `replay ${id}`, total: r.windowsTotal }),
    progress: {
      event: 'window',
      detail: (data, cpu) => {
        const w = data as WindowSummary
        return `err ${percent(w.meanAbsErrorFraction)} drift ${w.startDriftMs.toFixed(1)} ms${cpu ? ` ${cpu}` : ''}`
      },
    },
    onState: (r) => { if (r.state === 'scheduled') process.stderr.write(`scheduled for ${time(r.startAt)}\n`) },
    ended: (r) => ENDED.has(r.state),
    detached: `detached; the replay goes on (edgemime ctl replay stop ${id})`,
    describe,
  })
}

function source(r: ReplayRecord): string {
  return r.source.kind === 'profile' ? r.source.name : r.source.kind === 'composition' ? `composition ${r.source.id}` : 'inline'
}

function describe(r: ReplayRecord): string {
  return table([
    ['replay', r.id], ['source', source(r)], ['state', r.state + (r.reason ? ` (${r.reason})` : '')],
    ['windows', `${r.windowsDone}/${r.windowsTotal} x ${r.windowMs} ms, ${r.threads} threads, repeat ${r.repeat}`],
    ['timing error', `${percent(r.timing?.meanAbsErrorFraction)} of W (mean |executed - planned|)`],
    ['max start drift', r.timing ? `${r.timing.maxStartDriftMs.toFixed(2)} ms` : '-'],
    ['started', time(r.startedAt ?? r.startAt)], ['ended', time(r.endedAt)],
  ])
}

/** --at: epoch milliseconds or any date Date.parse understands (ISO 8601 recommended). */
function startTime(at: string): number {
  const ms = /^\d+$/.test(at) ? Number(at) : Date.parse(at)
  if (!Number.isFinite(ms)) throw new InvalidInputError(`--at: cannot read '${at}' as a time (ISO 8601, e.g. 2026-11-22T16:00:00Z, or epoch ms)`)
  return ms
}

/** Reads a JSON file given on the command line. */
export function readJson(path: string): unknown {
  try { return JSON.parse(readFileSync(path, 'utf8')) } catch (e) {
    throw new InvalidInputError(`cannot read ${path} as JSON: ${(e as Error).message}`)
  }
}
