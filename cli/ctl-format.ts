/**
 * Human output for `edgemime ctl`: aligned tables, sizes, times. `--json` bypasses all of it.
 * @module
 */

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String))
  const widths = cells[0]!.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? '').length)))
  return cells.map((r) => r.map((c, j) => (j === r.length - 1 ? c : c.padEnd(widths[j]!))).join('  ')).join('\n') + '\n'
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[i]}`
}

export function time(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

export function percent(fraction: number | undefined, digits = 2): string {
  return fraction === undefined || !Number.isFinite(fraction) ? '-' : `${(100 * fraction).toFixed(digits)}%`
}

/** Prints `value` as JSON (for --json) or the human text. */
export function output(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human())
}

/** Live per-core CPU of a telemetry event, e.g. `cpu 98/97%`, for progress-bar lines. */
export function cpuSummary(values: Record<string, number>): string {
  return `cpu ${Object.keys(values).filter((k) => k.startsWith('cpu_util_')).map((k) => Math.round(values[k]!)).join('/')}%`
}
