/**
 * `edgemime replay COMPOSITION [--json]`: replays a composition in the foreground with a
 * progress bar and prints the report.
 * @module
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../common/config.js'
import { InvalidInputError } from '../common/errors.js'
import { writeChart } from '../common/plot.js'
import { progressBar } from '../common/progress.js'
import { checkCaps, Executor, type ReplayReport } from '../stressors-wasm/index.js'
import { loadComposition } from '../stressors-wasm/load.js'
import { recordReplayToCsv } from '../telemetry/record.js'
import { compositionChart } from '../stressors-wasm/plot.js'

const USAGE = `usage: edgemime replay COMPOSITION [options]
  COMPOSITION        a composition JSON file, or a bundled name (see configs/compositions/, e.g. demo)
  --json             print the report as one JSON object (timing.mean_abs_error_fraction, ...)
  --windows          with --json, keep every window's entries in the report
  --config FILE      device config (caps) to merge over the defaults
  --threads-cap N    lower the maximum number of stressor threads
  --repeat N         play the composition N times (default 1)
  --no-pin           do not pin stressor threads to cores
  --low-priority     run stressor threads at lowered priority
  --plot FILE        write a chart of the composition and the replay timing (.svg or .png)
  --report FILE      also write the full JSON report (every window) to FILE
  --record FILE.csv  record a resource-usage trace, one row per window (adds one idle lead window)
`

const int = (name: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min) throw new InvalidInputError(`--${name} must be an integer ≥ ${min}, got '${v}'`)
  return n
}

/** Runs `edgemime replay ...`; exit 0 when complete, 130 when interrupted. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false }, windows: { type: 'boolean', default: false },
      config: { type: 'string' }, 'threads-cap': { type: 'string' }, repeat: { type: 'string' },
      'no-pin': { type: 'boolean', default: false }, 'low-priority': { type: 'boolean', default: false },
      plot: { type: 'string' }, report: { type: 'string' }, record: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) { process.stdout.write(USAGE); return 0 }
  if (positionals.length !== 1) { process.stderr.write(USAGE); return 2 }
  const caps = loadConfig(values.config).caps
  const threadsCap = int('threads-cap', values['threads-cap'], 1)
  if (threadsCap !== undefined) caps.maxThreads = Math.min(caps.maxThreads, threadsCap)
  const repeat = int('repeat', values.repeat, 1) ?? 1
  const comp = loadComposition(positionals[0]!)
  // Refuse before any thread starts.
  const footprint = checkCaps(comp, caps, { repeat })
  const total = comp.windows.length * repeat
  process.stderr.write(`replay: preparing ${comp.threads} threads (${(footprint.memoryBytes / 2 ** 20).toFixed(0)} MiB of buffers, ${(footprint.diskBytes / 2 ** 20).toFixed(0)} MiB of disk files)\n`)
  const executor = await Executor.create({ threads: comp.threads, caps, pin: !values['no-pin'], lowPriority: values['low-priority'] })
  const abort = new AbortController()
  const onSigint = () => abort.abort()
  process.once('SIGINT', onSigint)
  const bar = progressBar('replay', total)
  let report: ReplayReport
  try {
    const play = (c: typeof comp, r: number, onWindow?: (w: ReplayReport['windows'][number]) => void) => executor.replay(c, {
      repeat: r, signal: abort.signal,
      onWindow: (w) => { onWindow?.(w); bar.update(Math.min(total, w.index + 1), `drift ${w.driftMs.toFixed(2)} ms`) },
    })
    report = values.record
      ? await recordReplayToCsv(values.record, comp, (c, onWindow) => play(c, 1, onWindow), { repeat })
      : await play(comp, repeat)
  } finally {
    bar.stop()
    process.off('SIGINT', onSigint)
    await executor.close()
  }
  if (values.report) writeFileSync(values.report, JSON.stringify(report) + '\n')
  if (values.plot) writeChart(compositionChart(comp, report), values.plot)
  if (values.json) {
    const out = values.windows ? report : { ...report, windows: undefined }
    process.stdout.write(JSON.stringify({ ...out, footprint }) + '\n')
  } else {
    process.stdout.write(formatReport(report))
  }
  return report.interrupted ? 130 : 0
}

function formatReport(r: ReplayReport): string {
  const t = r.timing
  const rows = r.totals.stressors.filter((s) => s.plannedMs > 0)
  const w = Math.max(8, ...rows.map((s) => s.name.length))
  const lines = [
    `${'stressor'.padEnd(w)}  ${'planned s'.padStart(10)}  ${'executed s'.padStart(10)}  ${'ops'.padStart(14)}  ${'MB/s'.padStart(9)}`,
    ...rows.map((s) => `${s.name.padEnd(w)}  ${(s.plannedMs / 1000).toFixed(3).padStart(10)}  ${(s.executedMs / 1000).toFixed(3).padStart(10)}  ${String(s.ops).padStart(14)}  ${(s.executedMs > 0 ? s.bytes / 1e3 / s.executedMs : 0).toFixed(1).padStart(9)}`),
    '',
    `windows ${r.totals.windows} × ${t.windowMs} ms${r.interrupted ? ' (interrupted)' : ''}; threads ${r.runtime.threads}, pinned ${r.runtime.pinned}, low priority ${r.runtime.lowPriority}, native ${r.runtime.native}`,
    `timing: mean |executed − planned| = ${(100 * t.mean_abs_error_fraction).toFixed(3)}% of W (median ${(100 * t.p50_abs_error_fraction).toFixed(2)}%, p95 ${(100 * t.p95_abs_error_fraction).toFixed(2)}%, max ${(100 * t.max_abs_error_fraction).toFixed(2)}%), window start drift max ${t.max_start_drift_ms.toFixed(3)} ms, mean ${t.mean_start_drift_ms.toFixed(3)} ms`,
  ]
  return lines.join('\n') + '\n'
}

