import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { FALLBACK_CACHE_SIZES } from '../stressors-wasm/cache-sizes.js'
import { deviceFingerprint, probeSizes, Sampler, wholeDisks } from '../telemetry/index.js'
import { tempDir } from './helpers/temp-dir.js'

/** A fake /proc and /sys whose counters the test advances. */
function fakeMachine() {
  const root = tempDir(t, 'em-proc-')
  const procRoot = join(root, 'proc')
  const sysRoot = join(root, 'sys')
  mkdirSync(procRoot)
  for (const d of ['vda', 'loop0', 'zram0']) mkdirSync(join(sysRoot, 'block', d), { recursive: true })
  mkdirSync(join(sysRoot, 'block/vda/device'))
  const state = { cpu: [[100, 0, 50, 1000, 10, 0, 0, 0], [0, 0, 0, 1000, 0, 0, 0, 0]], ctxt: 1000, sectors: { vda: [0, 0], loop0: [0, 0], vda1: [0, 0] }, pgfault: 10, memAvail: 3_000_000 }
  const write = () => {
    const lines = state.cpu.map((c, k) => `cpu${k} ${c.join(' ')} 0 0`)
    writeFileSync(join(procRoot, 'stat'), `cpu  0 0 0 0 0 0 0 0 0 0\n${lines.join('\n')}\nintr 5\nctxt ${state.ctxt}\nbtime 1\n`)
    const disk = (name: string, [r, w]: number[]) => `   8       0 ${name} 10 0 ${r} 5 10 0 ${w} 5 0 10 10 0 0 0 0 0 0`
    writeFileSync(join(procRoot, 'diskstats'), Object.entries(state.sectors).map(([n, v]) => disk(n, v)).join('\n') + '\n')
    writeFileSync(join(procRoot, 'vmstat'), `nr_free_pages 5\npgfault ${state.pgfault}\npgmajfault 3\n`)
    writeFileSync(join(procRoot, 'meminfo'), `MemTotal:        4000000 kB\nMemFree:         1000 kB\nMemAvailable:    ${state.memAvail} kB\n`)
  }
  write()
  return { procRoot, sysRoot, state, write }
}

t.test('whole disks are the hardware-backed block devices', async (t) => {
  const m = fakeMachine()
  t.same(wholeDisks(m), ['vda'])
})

t.test('rows are /proc deltas: per-core busy share, whole-disk bytes/s, faults, memory', async (t) => {
  const m = fakeMachine()
  const s = new Sampler({ procRoot: m.procRoot, sysRoot: m.sysRoot, periodMs: 100, counters: false, probe: false })
  t.same(s.columns, ['time_s', 'cpu_util_0', 'cpu_util_1', 'disk_read_bytes_per_s', 'disk_write_bytes_per_s',
    'mem_used_bytes', 'context_switches_per_s', 'page_faults_per_s', 'major_faults_per_s'])
  s.start(undefined, { periodic: false })
  // core 0: 30 user + 10 system + 5 irq + 5 steal busy, 40 idle + 10 iowait => 50 %
  m.state.cpu[0] = [130, 0, 60, 1040, 20, 5, 0, 5]
  // core 1: 25 nice busy of 100 => 25 %
  m.state.cpu[1] = [0, 25, 0, 1075, 0, 0, 0, 0]
  m.state.sectors = { vda: [2000, 4000], loop0: [999999, 999999], vda1: [2000, 4000] }
  m.state.ctxt += 500
  m.state.pgfault += 250
  m.state.memAvail = 2_000_000
  m.write()
  await sleep(250)
  const row = s.sample()
  const dt = row[0]!
  t.ok(dt >= 0.24 && dt < 5, `interval ${dt} s`)
  t.equal(row[1], 50)
  t.equal(row[2], 25)
  t.ok(Math.abs(row[3]! * dt - 2000 * 512) / (2000 * 512) < 0.01, 'read bytes: vda only, sectors × 512')
  t.ok(Math.abs(row[4]! * dt - 4000 * 512) / (4000 * 512) < 0.01, 'write bytes')
  t.equal(row[5], 2_000_000 * 1024)
  t.ok(Math.abs(row[6]! * dt - 500) < 5)
  t.ok(Math.abs(row[7]! * dt - 250) < 5)
  t.equal(row[8], 0)
  const trace = s.stop()
  t.equal(trace.rows.length, 1)
  t.equal(trace.meta?.units.cpu_util_0, '%')
  t.same(trace.meta?.absent, {
    instructions_per_s: 'disabled by option', cycles_per_s: 'disabled by option', llc_misses_per_s: 'disabled by option',
    probe_llc_slowdown: 'disabled by option', probe_dram_slowdown: 'disabled by option',
  })
  t.throws(() => s.start(), { message: /already stopped/ })
})

t.test('options are checked', async (t) => {
  t.throws(() => new Sampler({ periodMs: 50 }), { code: 'EM_INVALID_INPUT', message: /100 ms to 60 s/ })
  const empty = tempDir(t, 'em-proc-')
  t.throws(() => new Sampler({ procRoot: empty }), { message: /no per-core CPU lines/ })
  t.throws(() => new Sampler({ probe: false, counters: false }).sample(), { message: /not started/ })
  const m = fakeMachine()
  t.throws(() => new Sampler({ ...m, probe: false, counters: false, disks: ['vda', 'sdz'] }), { message: /unknown disk\(s\) sdz; \/proc\/diskstats lists vda, loop0, vda1/ })
  t.same(new Sampler({ ...m, probe: false, counters: false, disks: ['vda1'] }).columns.length, 9, 'a partition may be chosen explicitly')
})

t.test('probe sizes: a fingerprint without cache levels falls back to sysfs, then to typical sizes', async (t) => {
  const m = fakeMachine() // its /sys has no cache entries either
  const fingerprint = { ...(await deviceFingerprint()), caches: { l1d: null, l1i: null, l2: null, l3: null } }
  const bytesOf = (s: Sampler) => { s.calibrate(); return s.stop().meta?.notes?.probeBytes }
  const fallback = probeSizes(FALLBACK_CACHE_SIZES.l2Bytes, FALLBACK_CACHE_SIZES.llcBytes)
  const got = bytesOf(new Sampler({ ...m, counters: false, probe: true, fingerprint }))
  t.equal(got, bytesOf(new Sampler({ ...m, counters: false, probe: true, probeBytes: fallback })))
  t.ok((got as number) >= fallback.llcBytes + fallback.dramBytes - 128, `${got} probe bytes`)
})

t.test('the real machine, periodic at 100 ms, with the probe', async (t) => {
  const s = new Sampler({ periodMs: 100, probe: true, probeBytes: { llcBytes: 1 << 20, dramBytes: 8 << 20 } })
  const seen: number[][] = []
  s.start((row) => seen.push(row))
  await sleep(450)
  const trace = s.stop()
  t.ok(trace.rows.length >= 2, `${trace.rows.length} rows`)
  t.same(trace.rows, seen, 'onSample saw every row')
  t.equal(trace.columns.filter((c) => c.startsWith('cpu_util_')).length, cpus().length)
  for (const row of trace.rows) {
    t.ok(row.every(Number.isFinite))
    for (let k = 1; k <= cpus().length; k++) t.ok(row[k]! >= 0 && row[k]! <= 100)
  }
  const times = trace.rows.map((r) => r[0]!)
  t.ok(times.every((v, i) => i === 0 || v > times[i - 1]!), 'time increases')
  const llc = trace.columns.indexOf('probe_llc_slowdown')
  t.ok(llc > 0 && trace.rows.every((r) => r[llc]! > 0), 'probe slowdowns are positive ratios')
  t.ok((trace.meta?.notes?.samplerCpuS as number) > 0, 'own CPU time recorded')
  const counters = ['instructions_per_s', 'cycles_per_s', 'llc_misses_per_s']
  const present = counters.every((c) => trace.columns.includes(c))
  const absent = counters.every((c) => (trace.meta?.absent?.[c] ?? '').length > 0)
  t.ok(present !== absent, `hardware counters either recorded or absent with a reason (${trace.meta?.absent?.cycles_per_s ?? 'present'})`)
})
