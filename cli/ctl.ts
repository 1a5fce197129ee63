/**
 * `edgemime ctl`: talks to a daemon over HTTP (--url/--token or EDGEMIME_URL/EDGEMIME_TOKEN).
 * Human output by default, `--json` for scripts.
 * @module
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import type { CompositionEntry, DeviceInfo, ProfileInfo, TraceMeta } from '../daemon/index.js'
import { CLIENT_OPTIONS, DaemonClient } from './client.js'
import { bytes, output, table, time } from './ctl-format.js'
import { generateCommand, GENERATOR_USAGE, jobsCommand } from './ctl-generator.js'
import { readJson, REPLAY_USAGE, replayCommand } from './ctl-replay.js'

const USAGE = `usage: edgemime ctl <command> [--url URL] [--token TOKEN] [--json]

${REPLAY_USAGE}
edgemime ctl profiles                   bundled contention profiles, sized for the device
edgemime ctl device                     fingerprint and active native features
edgemime ctl compositions list | upload ID FILE.json | get ID | delete ID
edgemime ctl traces list | start [--name N] [--period S] [--duration S] | stop ID
edgemime ctl traces download ID [--format csv|json] [--out FILE]  |  plot ID --out FILE.svg|png
${GENERATOR_USAGE}

--url defaults to EDGEMIME_URL or http://127.0.0.1:7070; --token to EDGEMIME_TOKEN.
`

export async function run(argv: string[]): Promise<number> {
  const [group, ...rest] = argv
  if (!group || group === '--help' || group === '-h') { process.stdout.write(USAGE); return group ? 0 : 1 }
  if (group === 'replay') return replayCommand(rest)
  if (group === 'generate') return generateCommand(rest)
  if (group === 'jobs') return jobsCommand(rest)
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true,
    options: { ...CLIENT_OPTIONS, name: { type: 'string' }, period: { type: 'string' }, duration: { type: 'string' }, format: { type: 'string', default: 'csv' }, out: { type: 'string', short: 'o' } },
  })
  const client = new DaemonClient(values)
  const json = values.json
  const [sub, a, b] = positionals
  switch (`${group} ${group === 'profiles' || group === 'device' ? '' : sub ?? ''}`.trim()) {
    case 'profiles': {
      const ps = await client.json<ProfileInfo[]>('/v1/profiles')
      output(json, ps, () => table([['PROFILE', 'KIND', 'WINDOWS', 'THREADS', 'DESCRIPTION'],
        ...ps.map((p) => [p.name, p.kind, `${p.windows} x ${p.windowMs} ms`, p.threads, p.description])]))
      return 0
    }
    case 'device': {
      const d = await client.json<DeviceInfo>('/v1/device')
      const { cpu, caches } = d.fingerprint
      output(json, d, () => table([
        ['cpu', `${cpu.modelName} (${cpu.uarch ?? 'unknown uarch'}), ${cpu.cores} cores${cpu.mhz ? `, ${cpu.mhz} MHz` : ''}`],
        ['caches', `L1d ${bytes(caches.l1d?.sizeBytes)}, L2 ${bytes(caches.l2?.sizeBytes)}, L3 ${bytes(caches.l3?.sizeBytes)}`],
        ['memory', bytes(d.fingerprint.memoryBytes)], ['kernel', d.fingerprint.kernel], ['node', d.fingerprint.node],
        ['native addon', d.native.addon ? 'loaded' : `not loaded (${d.native.addonReason})`],
        ...(['affinity', 'priority', 'directIo', 'perfCounters'] as const).map((k) => [k, `${d.native[k].mode}: ${d.native[k].reason}`]),
      ]))
      return 0
    }
    case 'compositions list': {
      const cs = await client.json<CompositionEntry[]>('/v1/compositions')
      output(json, cs, () => table([['ID', 'WINDOWS', 'THREADS', 'STRESSORS', 'CREATED'],
        ...cs.map((c) => [c.id, `${c.windows} x ${c.windowMs} ms`, c.threads, c.stressors.join(','), time(c.createdAt)])]))
      return 0
    }
    case 'compositions upload': {
      if (!a || !b) throw new InvalidInputError('ctl compositions upload ID FILE.json')
      const c = await client.json<CompositionEntry>('/v1/compositions', { method: 'POST', body: { id: a, composition: readJson(b) } })
      output(json, c, () => `stored composition ${c.id}: ${c.windows} windows x ${c.windowMs} ms on ${c.threads} threads\n`)
      return 0
    }
    case 'compositions get':
      process.stdout.write(`${JSON.stringify(await client.json(`/v1/compositions/${need(a)}`), null, 2)}\n`)
      return 0
    case 'compositions delete':
      await client.json(`/v1/compositions/${need(a)}`, { method: 'DELETE' })
      output(json, { deleted: a }, () => `deleted ${a}\n`)
      return 0
    case 'traces list': {
      const ts = await client.json<TraceMeta[]>('/v1/traces')
      output(json, ts, () => table([['ID', 'NAME', 'STATE', 'ROWS', 'PERIOD', 'CREATED'],
        ...ts.map((t) => [t.id, t.name, t.state, t.rows, `${t.periodS} s`, time(t.createdAt)])]))
      return 0
    }
    case 'traces start': {
      const body = { ...(values.name ? { name: values.name } : {}), ...(values.period ? { periodS: Number(values.period) } : {}), ...(values.duration ? { durationS: Number(values.duration) } : {}) }
      const t = await client.json<TraceMeta>('/v1/traces', { method: 'POST', body })
      output(json, t, () => `recording trace ${t.id} (${t.name}) every ${t.periodS} s${t.durationS ? ` for ${t.durationS} s` : ''}\n`)
      return 0
    }
    case 'traces stop': {
      const t = await client.json<TraceMeta>(`/v1/traces/${need(a)}/stop`, { method: 'POST' })
      output(json, t, () => `stopped trace ${t.id}: ${t.rows} rows\n`)
      return 0
    }
    case 'traces download': {
      if (values.format !== 'csv' && values.format !== 'json') throw new InvalidInputError('--format is csv or json')
      const res = await client.fetch(`/v1/traces/${need(a)}/data?format=${values.format}`, { accept: values.format === 'csv' ? 'text/csv' : 'application/json' })
      const text = await res.text()
      if (values.out) {
        writeFileSync(values.out, text)
        process.stderr.write(`wrote ${values.out} (${bytes(text.length)})\n`)
      } else process.stdout.write(text)
      return 0
    }
    case 'traces plot':
      if (!values.out) throw new InvalidInputError('ctl traces plot ID --out FILE.svg|png')
      await client.saveChart(`/v1/traces/${need(a)}/plot`, values.out)
      process.stderr.write(`wrote ${values.out}\n`)
      return 0
    default:
      throw new InvalidInputError(`ctl: unknown command '${[group, sub].filter(Boolean).join(' ')}'\n\n${USAGE}`)
  }
}

function need(id: string | undefined): string {
  if (!id) throw new InvalidInputError('give an id')
  return encodeURIComponent(id)
}
