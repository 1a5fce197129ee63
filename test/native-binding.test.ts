// Every entry point of the raw addon, fed garbage: each call returns or throws a JS error, and
// the process lives on. Runs in a child process because valid-looking garbage (tid 0 = the
// calling thread) may pin or deprioritise the thread that makes the calls.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { binding } from '../native/binding.js'

t.test('garbage arguments throw JS errors, never crash', { skip: !binding && 'addon not loaded' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgemime-native-fuzz-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const script = `
    import { readdirSync } from 'node:fs'
    import { binding as b } from ${JSON.stringify(new URL('../native/binding.ts', import.meta.url).href)}
    const junk = [undefined, null, 'x', '', {}, [], -1, 0.5, NaN, Infinity, 2 ** 60, -(2 ** 60), true, 1n, Symbol('s'), () => 1, new Uint8Array(3), new Float64Array(2)]
    let calls = 0, threw = 0
    const poke = (fn, self, arity) => {
      for (const a of junk) for (const c of junk.slice(0, arity > 1 ? junk.length : 1)) {
        calls++
        try { fn.call(self, a, c, a, c) } catch (e) { if (!(e instanceof Error)) throw new Error('non-Error thrown'); threw++ }
      }
    }
    const fds = readdirSync('/proc/self/fd').length
    for (const [name, arity] of Object.entries({ gettid: 0, setAffinity: 2, getAffinity: 1, setNice: 2, setIdlePolicy: 1, alignedBuffer: 2, openFile: 3, perfOpen: 4 })) poke(b[name], b, arity)
    const f = b.openFile(${JSON.stringify(join(dir, 'f.bin'))}, true, true)
    for (const m of ['pread', 'pwrite', 'syncRange', 'fdatasync', 'dropCache', 'size', 'truncate']) poke(f[m], f, 2)
    f.close()
    for (const m of ['pread', 'pwrite', 'syncRange', 'fdatasync', 'dropCache', 'size', 'truncate']) poke(f[m], f, 2)
    const p = b.perfOpen(0, -1, 1, [1])
    for (const m of ['read', 'reset']) poke(p[m], p, 1)
    p.close()
    for (const m of ['read', 'reset', 'close']) poke(p[m], {}, 1)
    console.log(JSON.stringify({ calls, threw, leaked: readdirSync('/proc/self/fd').length - fds }))`
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', '--input-type=module', '-e', script])
  const r = JSON.parse(stdout)
  t.ok(r.calls > 2000, `${r.calls} calls made`)
  t.ok(r.threw > r.calls / 2, `${r.threw} threw a JS Error`)
  t.equal(r.leaked, 0, 'no fds left open')
})
