import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { foreignLoadWarning } from '../generator/device.js'
import { FOREIGN_LOAD_WARN_PCT, foreignLoadMeter } from '../telemetry/index.js'
import { tempDir } from './helpers/temp-dir.js'

/** A fake /proc/stat whose two cores have `busy` jiffies in total (user field of cpu0). */
function fakeStat(): { path: string; set(busy: number): void } {
  const path = join(tempDir(t, 'em-foreign-'), 'stat')
  const set = (busy: number) => writeFileSync(path, `cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 ${busy} 0 0 5000 0 0 0 0 0 0\ncpu1 0 0 0 5000 0 0 0 0 0 0\nctxt 1\n`)
  set(1000)
  return { path, set }
}

const ownSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }

t.test('busy time beyond this process is foreign load, as % of one core', async (t) => {
  const stat = fakeStat()
  const own0 = ownSeconds()
  const meter = foreignLoadMeter(stat.path)
  const until = performance.now() + 150
  while (performance.now() < until); // this process's own CPU time: not foreign
  // The machine was busy for this process's time plus 0.3 s of someone else's.
  stat.set(1000 + Math.round((ownSeconds() - own0 + 0.3) * 100))
  const { pct, seconds } = meter.stop()
  t.ok(seconds >= 0.15, `covers the measured span (${seconds.toFixed(3)} s)`)
  const expected = (100 * 0.3) / seconds
  t.ok(Math.abs(pct - expected) < 0.1 * expected, `foreign ${pct.toFixed(1)} % ≈ ${expected.toFixed(1)} %`)
})

t.test('a machine busy only with this process has no foreign load', async (t) => {
  const stat = fakeStat()
  const meter = foreignLoadMeter(stat.path)
  const until = performance.now() + 50
  while (performance.now() < until);
  t.equal(meter.stop().pct, 0, 'own time above the system busy time clamps to 0, never negative')
})

t.test('the real /proc/stat gives a finite, non-negative load', async (t) => {
  const meter = foreignLoadMeter()
  await new Promise((r) => setTimeout(r, 50))
  const { pct } = meter.stop()
  t.ok(Number.isFinite(pct) && pct >= 0, `${pct.toFixed(1)} %`)
})

t.test('only /proc sources with too much foreign load are warned about', async (t) => {
  const over = FOREIGN_LOAD_WARN_PCT + 1
  t.match(foreignLoadWarning({ source: 'system', foreignLoadPct: over }), new RegExp(`other processes used ${over} % of a core.*'system' source`))
  t.match(foreignLoadWarning({ source: 'process', foreignLoadPct: over }), /'process' source/)
  t.equal(foreignLoadWarning({ source: 'replay', foreignLoadPct: over }), null, 'replay recordings are immune')
  t.equal(foreignLoadWarning({ source: 'system', foreignLoadPct: FOREIGN_LOAD_WARN_PCT }), null, 'at the threshold: no warning')
  t.equal(foreignLoadWarning({ source: 'system', foreignLoadPct: null }), null, 'nothing replayed yet')
})
