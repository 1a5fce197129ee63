import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { deviceFingerprint, platformFeatures, PLATFORM_FEATURE_NAMES, recogniseUarch } from '../telemetry/index.js'
import { tempDir } from './helpers/temp-dir.js'

const PLATFORMS = fileURLToPath(new URL('../../shared/data/pitot/platforms.csv', import.meta.url))
const [header, ...lines] = readFileSync(PLATFORMS, 'utf8').trim().split(/\r?\n/)

/** The feature row of platforms.csv for `runtime:device`. */
function datasetRow(name: string): number[] {
  const line = lines.find((l) => l.split(',')[1] === name)
  if (!line) throw new Error(`no row ${name}`)
  return line.split(',').slice(4).map(Number)
}

type Cache = [level: number, type: string, size: string, line?: number, ways?: number]

/** A fake /proc/cpuinfo + sysfs tree for one device. */
function device(cpuinfo: string, caches: Cache[], maxKhz?: number): { cpuinfoPath: string; sysRoot: string } {
  const root = tempDir(t, 'em-fp-')
  const cpu0 = join(root, 'sys/devices/system/cpu/cpu0')
  caches.forEach(([level, type, size, line, ways], i) => {
    const d = join(cpu0, 'cache', `index${i}`)
    mkdirSync(d, { recursive: true })
    writeFileSync(join(d, 'level'), `${level}\n`)
    writeFileSync(join(d, 'type'), `${type}\n`)
    writeFileSync(join(d, 'size'), `${size}\n`)
    if (line !== undefined) writeFileSync(join(d, 'coherency_line_size'), `${line}\n`)
    if (ways !== undefined) writeFileSync(join(d, 'ways_of_associativity'), `${ways}\n`)
  })
  if (maxKhz) {
    mkdirSync(join(cpu0, 'cpufreq'), { recursive: true })
    writeFileSync(join(cpu0, 'cpufreq/cpuinfo_max_freq'), `${maxKhz}\n`)
  }
  writeFileSync(join(root, 'cpuinfo'), cpuinfo)
  return { cpuinfoPath: join(root, 'cpuinfo'), sysRoot: join(root, 'sys') }
}

const native = async () => null
const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) < 1e-6)

t.test('feature names are platforms.csv columns, in order', async (t) => {
  t.same([...PLATFORM_FEATURE_NAMES], header!.split(',').slice(4))
  t.equal(PLATFORM_FEATURE_NAMES.length, 39)
})

t.test('a Haswell device encodes exactly as the dataset row of hc-11', async (t) => {
  const cpuinfo = 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 60\nmodel name\t: Intel(R) Core(TM) i5-4590T\ncpu MHz\t\t: 800.000\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n'
  const mhz = Math.exp(7 + datasetRow('wasmtime-j:hc-11')[14]!)
  const fp = await deviceFingerprint({
    ...device(cpuinfo, [[1, 'Data', '32K', 64, 8], [1, 'Instruction', '32K', 64, 8], [2, 'Unified', '256K', 64, 8], [3, 'Unified', '8192K', 64, 16]], Math.round(mhz * 1000)),
    native,
  })
  t.equal(fp.cpu.uarch, 'haswell')
  t.equal(fp.cpu.cores, 2)
  t.equal(fp.cpu.modelName, 'Intel(R) Core(TM) i5-4590T')
  t.same(fp.caches.l2, { level: 2, type: 'Unified', sizeBytes: 256 << 10, lineBytes: 64, ways: 8 })
  for (const runtime of ['wasmtime-j', 'iwasm-i', 'wasmer-j-sp'] as const) {
    const { values } = platformFeatures(fp, { runtime })
    t.ok(close(values, datasetRow(`${runtime}:hc-11`)), `${runtime}: ${values.join(',')}`)
  }
})

t.test('a Cortex-A53 without L2 line/ways and L3 encodes as hc-20', async (t) => {
  const cpuinfo = 'processor\t: 0\nBogoMIPS\t: 38.40\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd03\n\nprocessor\t: 1\n\nprocessor\t: 2\n\nprocessor\t: 3\nModel\t\t: Raspberry Pi 3 Model B Plus Rev 1.3\n'
  const fp = await deviceFingerprint({ ...device(cpuinfo, [[1, 'Data', '32K'], [1, 'Instruction', '32K'], [2, 'Unified', '128K']], 1400000), native })
  t.equal(fp.cpu.uarch, 'cortex-a53')
  t.equal(fp.cpu.vendor, 'ARM')
  t.equal(fp.cpu.cores, 4)
  t.equal(fp.caches.l3, null)
  t.ok(close(platformFeatures(fp).values, datasetRow('wasmtime-j:hc-20')))
})

t.test('unknown and nearest microarchitectures', async (t) => {
  t.same(recogniseUarch('x64', 'GenuineIntel', 6, 207), { uarch: 'emeraldrapids', platform: 'tigerlake' })
  t.same(recogniseUarch('x64', 'AuthenticAMD', 25, 0x61), { uarch: 'znver4', platform: 'znver3' })
  t.same(recogniseUarch('x64', 'AuthenticAMD', 23, 0x31), { uarch: 'znver2', platform: 'znver2' })
  t.same(recogniseUarch('x64', 'GenuineIntel', 6, 0x01), { uarch: null, platform: null })
  const fp = await deviceFingerprint({ ...device('vendor_id : Whatever\n', []), native })
  t.equal(fp.cpu.uarch, null)
  t.equal(fp.cpu.mhz, null)
  const { values } = platformFeatures(fp)
  t.same(values.slice(0, 14), Array(14).fill(-1), 'unknown uarch: every uarch column −1')
  t.equal(values[14], 0, 'unknown frequency encodes as 0')
  t.same(values.slice(15, 23), [0, -1, 0, -1, 0, -1, 0, -1], 'absent caches: value 0, flag −1')
  t.throws(() => platformFeatures(fp, { runtime: 'node' as never }), { code: 'EM_INVALID_INPUT', message: /unknown runtime 'node'/ })
})

t.test('this machine', async (t) => {
  const fp = await deviceFingerprint()
  t.equal(fp.cpu.cores, cpus().length)
  t.equal(fp.node, process.versions.node)
  t.equal(fp.wasm.engine, 'v8')
  t.equal(fp.wasm.simd, true, 'Node 20 validates SIMD modules')
  t.ok(fp.memoryBytes > 0)
  t.type(fp.native, 'object', 'native features reported')
  const { values } = platformFeatures(fp)
  t.equal(values.length, 39)
  t.ok(values.every(Number.isFinite))
  t.equal(values.slice(29).filter((v) => v === 1).length, 1, 'exactly one runtime column set')
  t.same(JSON.parse(JSON.stringify(fp)), fp, 'serialisable')
})
