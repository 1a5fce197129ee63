import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import {
  parseTraceCsv, readTraceCsv, sidecarPath, traceFromJson, traceToJson, writeTraceCsv, type Trace,
} from '../telemetry/index.js'
import { tempDir } from './helpers/temp-dir.js'

const dir = tempDir(t, 'em-trace-io-')
const HEADER = 'time_s,cpu_util_0,cpu_util_1,disk_read_bytes_per_s,disk_write_bytes_per_s'

t.test('reads the shared traces', async (t) => {
  const trace = readTraceCsv(fileURLToPath(new URL('../../shared/data/traces/build-burst.csv', import.meta.url)))
  t.same(trace.columns, HEADER.split(','))
  t.equal(trace.rows.length, 61)
  t.same(trace.rows[0], [1.001, 5.94, 7.07, 315152, 0])
  t.equal(trace.meta, undefined, 'no sidecar there')
})

t.test('write then read round-trips rows and the sidecar', async (t) => {
  const trace: Trace = {
    columns: [...HEADER.split(','), 'mem_used_bytes'],
    rows: [[0.5, 12.25, 0, 4096, 0, 1e9], [1, 99.99, 100, 0, 123456789, 1.5e9]],
    meta: { units: { time_s: 's' }, periodS: 0.5, notes: { who: 'test' } },
  }
  const path = join(dir, 'sub', 'a.csv')
  writeTraceCsv(trace, path)
  t.equal(sidecarPath(path), join(dir, 'sub', 'a.meta.json'))
  t.ok(existsSync(sidecarPath(path)))
  const back = readTraceCsv(path)
  t.same(back, trace)
  t.same(traceFromJson(JSON.parse(JSON.stringify(traceToJson(back)))), trace, 'JSON form round-trips too')
  t.equal(readFileSync(path, 'utf8').split('\n')[1], '0.5,12.25,0,4096,0,1000000000')
})

t.test('bad files get clear errors', async (t) => {
  const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p }
  t.throws(() => readTraceCsv(join(dir, 'nope.csv')), { code: 'EM_NOT_FOUND', message: /cannot read trace/ })
  t.throws(() => readTraceCsv(write('empty.csv', '')), { code: 'EM_INVALID_INPUT', message: /empty file/ })
  t.throws(() => readTraceCsv(write('header.csv', HEADER + '\n')), { message: /no data rows/ })
  t.throws(() => readTraceCsv(write('missing.csv', 'time_s,cpu_util_0,disk_read_bytes_per_s\n1,2,3\n')), { message: /missing column\(s\) disk_write_bytes_per_s/ })
  t.throws(() => readTraceCsv(write('nocpu.csv', 'time_s,disk_read_bytes_per_s,disk_write_bytes_per_s\n1,2,3\n')), { message: /missing column\(s\) cpu_util_<k>/ })
  t.throws(() => readTraceCsv(write('first.csv', 'cpu_util_0,time_s,disk_read_bytes_per_s,disk_write_bytes_per_s\n1,2,3,4\n')), { message: /first column must be time_s/ })
  t.throws(() => readTraceCsv(write('nan.csv', `${HEADER}\n1,2,x,4,5\n`)), { message: /line 2, column cpu_util_1: not a number \('x'\)/ })
  t.throws(() => readTraceCsv(write('blank.csv', `${HEADER}\n1,2,,4,5\n`)), { message: /line 2, column cpu_util_1: not a number/ })
  t.throws(() => readTraceCsv(write('short.csv', `${HEADER}\n1,2,3,4,5\n2,3,4\n`)), { message: /line 3 has 3 cells, header has 5/ })
  t.throws(() => readTraceCsv(write('dup.csv', `${HEADER},cpu_util_0\n1,2,3,4,5,6\n`)), { message: /duplicate column 'cpu_util_0'/ })
  const p = write('side.csv', `${HEADER}\n1,2,3,4,5\n`)
  writeFileSync(sidecarPath(p), '{oops')
  t.throws(() => readTraceCsv(p), { message: /sidecar .* is not valid JSON/ })
  t.throws(() => traceFromJson({ columns: HEADER.split(','), rows: [[1, 2, 3]] }), { message: /row 1 has 3 cells/ })
  t.throws(() => traceFromJson(null), { message: /not an object/ })
  t.throws(() => writeTraceCsv({ columns: HEADER.split(','), rows: [[1, 2, 3, 4, Infinity]] }, join(dir, 'inf.csv')), { message: /not a finite number/ })
  t.same(parseTraceCsv(`${HEADER}\r\n1,2,3,4,5\r\n`).rows, [[1, 2, 3, 4, 5]], 'CRLF is fine')
})
