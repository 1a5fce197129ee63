/**
 * `edgemime trace`: record resource-usage traces, plot them, print them as JSON, fingerprint
 * the device.
 * @module
 */
import { parseArgs } from 'node:util'
import { writeChart } from '../common/plot.js'
import { InvalidInputError } from '../common/errors.js'
import { progressBar } from '../common/progress.js'
import {
  deviceFingerprint, platformFeatures, PLATFORM_RUNTIMES, readTraceCsv, traceToJson, writeTraceCsv, type PlatformRuntime,
} from '../telemetry/index.js'
import { recordTrace } from '../telemetry/record.js'
import { tracesSvg } from '../telemetry/trace-plot.js'

const USAGE = `usage:
  edgemime trace record --duration S [--period S] --out FILE.csv [--probe auto|on|off] [-- COMMAND ...]
      record the machine for S seconds, or while COMMAND runs (stopping when it exits;
      --duration then caps it); period default 1 s, down to 0.1 s
  edgemime trace plot A.csv [B.csv ...] --out FILE.svg|png [--metrics m1,m2] [--title T]
      metrics over time, further traces overlaid (dashed)
  edgemime trace json FILE.csv        the trace (and its sidecar) as JSON on stdout
  edgemime trace fingerprint [--features] [--runtime R]
      the device fingerprint; --features adds the Pitot platform feature vector
`

function seconds(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const s = Number(v)
  if (!(s > 0 && Number.isFinite(s))) throw new InvalidInputError(`--${name} must be a positive number of seconds, got '${v}'`)
  return s
}

async function record(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { period: { type: 'string' }, duration: { type: 'string' }, out: { type: 'string' }, probe: { type: 'string', default: 'auto' } },
  })
  if (!values.out) throw new InvalidInputError('trace record needs --out FILE.csv')
  const probe = ({ auto: 'auto', on: true, off: false } as const)[values.probe as 'auto' | 'on' | 'off']
  if (probe === undefined) throw new InvalidInputError(`--probe must be auto, on or off, got '${values.probe}'`)
  const periodMs = (seconds('period', values.period) ?? 1) * 1000
  const durationS = seconds('duration', values.duration)
  const command = positionals.length ? positionals : undefined
  const fingerprint = await deviceFingerprint()
  const total = durationS === undefined ? 0 : Math.max(1, Math.round((durationS * 1000) / periodMs))
  const bar = progressBar('recording', total, total > 0)
  let n = 0
  const controller = new AbortController()
  const onSigint = () => controller.abort()
  process.once('SIGINT', onSigint)
  try {
    const { trace, exitCode } = await recordTrace({
      periodMs, durationS, command, probe, fingerprint, signal: controller.signal,
      onSample: () => bar.update(++n),
    })
    bar.stop()
    if (command) trace.meta!.notes = { ...trace.meta!.notes, command, exitCode }
    writeTraceCsv(trace, values.out)
    process.stderr.write(`wrote ${trace.rows.length} rows × ${trace.columns.length} columns to ${values.out}\n`)
    return exitCode ?? 0
  } finally {
    process.off('SIGINT', onSigint)
  }
}

async function plot(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { out: { type: 'string' }, metrics: { type: 'string' }, title: { type: 'string' } },
  })
  if (positionals.length === 0) throw new InvalidInputError('trace plot needs at least one trace CSV')
  if (!values.out) throw new InvalidInputError('trace plot needs --out FILE.svg|png')
  const traces = positionals.map((p) => ({ label: p.replace(/^.*\//, '').replace(/\.csv$/i, ''), trace: readTraceCsv(p) }))
  const metrics = values.metrics?.split(',').map((m) => m.trim()).filter(Boolean)
  const missing = metrics?.filter((m) => !traces[0]!.trace.columns.includes(m))
  if (missing?.length) throw new InvalidInputError(`${positionals[0]} has no column(s) ${missing.join(', ')}`)
  writeChart(tracesSvg(traces, { title: values.title, metrics }), values.out)
  process.stderr.write(`wrote ${values.out}\n`)
  return 0
}

async function json(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} })
  if (positionals.length !== 1) throw new InvalidInputError('trace json needs exactly one trace CSV')
  process.stdout.write(JSON.stringify(traceToJson(readTraceCsv(positionals[0]!))) + '\n')
  return 0
}

async function fingerprint(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { features: { type: 'boolean', default: false }, runtime: { type: 'string' } } })
  const runtime = values.runtime as PlatformRuntime | undefined
  if (runtime !== undefined && !PLATFORM_RUNTIMES.includes(runtime)) throw new InvalidInputError(`--runtime must be one of ${PLATFORM_RUNTIMES.join(', ')}`)
  const fp = await deviceFingerprint()
  const out = values.features ? { fingerprint: fp, platformFeatures: platformFeatures(fp, { runtime }) } : fp
  process.stdout.write(JSON.stringify(out, null, 2) + '\n')
  return 0
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { record, plot, json, fingerprint }

/** Runs `edgemime trace <subcommand> ...`. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  const fn = sub ? SUBCOMMANDS[sub] : undefined
  if (!fn) {
    process[sub === '--help' || sub === '-h' ? 'stdout' : 'stderr'].write(USAGE)
    return sub === '--help' || sub === '-h' ? 0 : 2
  }
  return fn(rest)
}
