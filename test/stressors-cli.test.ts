import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './helpers/temp-dir.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = tempDir(t, 'edgemime-cli-')

function cli(...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: root, env: { ...process.env, EDGEMIME_CAPS_DISK_DIR: dir } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }))
  })
}

const comp = {
  version: 1, windowMs: 40, threads: 2, metadata: { source: 'test' },
  stressors: [{ name: 'cache-memcpy-l2' }, { name: 'cpu-crc32c', params: { bufferBytes: 1 << 20 } }],
  windows: Array.from({ length: 5 }, () => [[0.3, 0.2], [0.2, 0.4]]),
}

t.test('replay --json prints one report object with the timing fields', async (t) => {
  const file = join(dir, 'comp.json')
  writeFileSync(file, JSON.stringify(comp))
  const svg = join(dir, 'plot.svg')
  const r = await cli('replay', file, '--json', '--plot', svg)
  t.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  t.type(out.timing.mean_abs_error_fraction, 'number')
  t.type(out.timing.max_start_drift_ms, 'number')
  t.equal(out.totals.windows, 5)
  t.ok(out.totals.stressors.every((s: { ops: number }) => s.ops > 0), 'both stressors did work')
  t.match(readFileSync(svg, 'utf8'), /<svg[\s\S]*thread 1/, 'composition chart written')
})

t.test('--help after a subcommand prints the group usage, exit 0', async (t) => {
  for (const args of [['generator', 'train', '--help'], ['predictor', 'eval', '-h'], ['ctl', 'replay', 'start', '--help']]) {
    const r = await cli(...args)
    t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
    t.match(r.stdout, new RegExp(`^usage: edgemime ${args[0]}`), args.join(' '))
  }
})

t.test('bad input: exit code non-zero and one sentence naming the problem', async (t) => {
  const bad = join(dir, 'bad.json')
  writeFileSync(bad, JSON.stringify({ ...comp, windows: [[[0.3, 2], [0.2, 0.4]]] }))
  const r = await cli('replay', bad)
  t.not(r.code, 0)
  t.match(r.stderr, /windows\[0\]\[0\]\[1\] \(window 0, stressor 0, thread 1\)/)
  t.equal(r.stdout, '', 'nothing ran')
  const caps = await cli('replay', 'demo', '--threads-cap', '1')
  t.not(caps.code, 0)
  t.match(caps.stderr, /needs 2 threads; the cap is 1/)
  const missing = await cli('replay', join(dir, 'none.json'))
  t.match(missing.stderr, /cannot read composition/)
})

t.test('stressors --json lists the catalog with parameters', async (t) => {
  const r = await cli('stressors', '--json')
  t.equal(r.code, 0)
  const list = JSON.parse(r.stdout) as { name: string, params: Record<string, { default: number }> }[]
  t.ok(list.find((s) => s.name === 'mem-hashset-1m')?.params.entries?.default === 1 << 20)
  t.ok(list.some((s) => s.name === 'idle'))
})
