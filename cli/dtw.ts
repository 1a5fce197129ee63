/**
 * `edgemime dtw A.csv B.csv`: normalised DTW between two traces, per metric and mean.
 * @module
 */
import { parseArgs } from 'node:util'
import { InvalidInputError } from '../common/errors.js'
import { normalisedDtw, rangesFromTraces, readTraceCsv } from '../telemetry/index.js'

const USAGE = `usage: edgemime dtw A.csv B.csv [--json] [--band N] [--ranges SPEC] [--metrics m1,m2]
  --band N       Sakoe-Chiba half-width in samples (default: exact, unconstrained)
  --ranges SPEC  metric ranges: "col=range,col=range" or reference trace CSVs "ref1.csv,ref2.csv"
                 (max − min over them); default: max − min over A and B together
  --json         print {"per_metric": {column: value}, "mean": value}
`

/** Parses --ranges: explicit col=value pairs, or a list of reference trace files. */
function parseRanges(spec: string): Record<string, number> {
  const parts = spec.split(',').map((p) => p.trim()).filter(Boolean)
  if (parts.length === 0) throw new InvalidInputError('--ranges is empty')
  if (parts.every((p) => p.includes('='))) {
    return Object.fromEntries(parts.map((p) => {
      const [k, v] = p.split('=') as [string, string]
      const n = Number(v)
      if (!(n > 0 && Number.isFinite(n))) throw new InvalidInputError(`--ranges: ${k} must be a positive number, got '${v}'`)
      return [k.trim(), n]
    }))
  }
  if (parts.some((p) => p.includes('='))) throw new InvalidInputError('--ranges mixes col=value pairs and files')
  return rangesFromTraces(parts.map(readTraceCsv))
}

/** Runs `edgemime dtw ...`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false }, band: { type: 'string' }, ranges: { type: 'string' },
      metrics: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) { process.stdout.write(USAGE); return 0 }
  if (positionals.length !== 2) { process.stderr.write(USAGE); return 2 }
  const band = values.band === undefined ? undefined : Number(values.band)
  if (band !== undefined && !(Number.isInteger(band) && band >= 0)) throw new InvalidInputError(`--band must be a non-negative integer, got '${values.band}'`)
  const [a, b] = positionals.map(readTraceCsv) as [ReturnType<typeof readTraceCsv>, ReturnType<typeof readTraceCsv>]
  const metrics = values.metrics?.split(',').map((m) => m.trim()).filter(Boolean)
  const result = normalisedDtw(a, b, { band, metrics, ranges: values.ranges ? parseRanges(values.ranges) : undefined })
  if (values.json) {
    process.stdout.write(JSON.stringify(result) + '\n')
  } else {
    const width = Math.max(...Object.keys(result.per_metric).map((k) => k.length), 4)
    for (const [k, v] of Object.entries(result.per_metric)) process.stdout.write(`${k.padEnd(width)}  ${v.toFixed(4)}\n`)
    process.stdout.write(`${'mean'.padEnd(width)}  ${result.mean.toFixed(4)}\n`)
  }
  return 0
}
