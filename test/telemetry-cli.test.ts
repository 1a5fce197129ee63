import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { normalisedDtw, readTraceCsv } from '../telemetry/index.js'
import { tempDir } from './helpers/temp-dir.js'

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url))
const TRACES = fileURLToPath(new URL('../../shared/data/traces/', import.meta.url))
const dir = tempDir(t, 'em-cli-')

function edgemime(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

t.test('dtw --json prints per-metric and mean values as the library computes them', async (t) => {
  const a = join(TRACES, 'build-burst.csv')
  const b = join(TRACES, 'compress-phases.csv')
  const r = await edgemime('dtw', a, b, '--json', '--band', '10')
  t.equal(r.code, 0, r.stderr)
  t.same(JSON.parse(r.stdout), normalisedDtw(readTraceCsv(a), readTraceCsv(b), { band: 10 }))
  const ranges = await edgemime('dtw', a, b, '--json', '--ranges', 'cpu_util_0=100,cpu_util_1=100')
  t.same(Object.keys(JSON.parse(ranges.stdout).per_metric), ['cpu_util_0', 'cpu_util_1'])
  const bad = join(dir, 'bad.csv')
  writeFileSync(bad, 'time_s,cpu_util_0,disk_read_bytes_per_s,disk_write_bytes_per_s\n1,2,3\n')
  const r2 = await edgemime('dtw', a, bad)
  t.equal(r2.code, 2)
  t.match(r2.stderr, /edgemime: .*bad\.csv: line 2 has 3 cells, header has 4/)
})

t.test('trace record while a command runs, then json and plot', async (t) => {
  const out = join(dir, 'rec.csv')
  const r = await edgemime('trace', 'record', '--period', '0.1', '--out', out, '--', process.execPath, '-e', 'const t = Date.now(); while (Date.now() - t < 400); process.exit(3)')
  t.equal(r.code, 3, 'the command\'s exit code is passed on')
  const trace = readTraceCsv(out)
  t.ok(trace.rows.length >= 3, `${trace.rows.length} rows`)
  t.ok(trace.rows.at(-1)![0]! < 2, 'stopped when the command exited')
  t.same((trace.meta?.notes as { exitCode: number }).exitCode, 3)
  t.ok(trace.meta?.fingerprint?.cpu.cores, 'fingerprint in the sidecar')
  const j = await edgemime('trace', 'json', out)
  t.same(JSON.parse(j.stdout).columns, trace.columns)
  const png = join(dir, 'plot.png')
  const p = await edgemime('trace', 'plot', out, join(TRACES, 'numpy-phases.csv'), '--out', png, '--metrics', 'cpu_util_0,disk_read_bytes_per_s')
  t.equal(p.code, 0, p.stderr)
  t.ok(existsSync(png) && readFileSync(png).subarray(1, 4).toString() === 'PNG')
  const m = await edgemime('trace', 'plot', out, '--out', join(dir, 'x.svg'), '--metrics', 'nope')
  t.match(m.stderr, /has no column\(s\) nope/)
  const d = await edgemime('trace', 'record', '--out', join(dir, 'y.csv'))
  t.match(d.stderr, /needs a duration or a command/)
})
