/**
 * `edgemime stressors [--json]`: the stressor catalog of this device with its parameters.
 * @module
 */
import { parseArgs } from 'node:util'
import { readCacheSizes, stressorCatalog } from '../stressors-wasm/index.js'

const USAGE = `usage: edgemime stressors [--json]
  Lists the stressors a composition may name, with parameters and their defaults (sized from
  this device's caches and memory).
  --json   an array of {name, family, description, params, workingSetBytes, diskBytes}
`

/** Runs `edgemime stressors ...`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } })
  if (values.help) { process.stdout.write(USAGE); return 0 }
  const sizes = readCacheSizes()
  const rows = stressorCatalog(sizes).map((s) => {
    const defaults = Object.fromEntries(Object.entries(s.params).map(([k, p]) => [k, p.default]))
    return { name: s.name, family: s.family, description: s.description, params: s.params, workingSetBytes: s.workingSetBytes(defaults), diskBytes: s.diskBytes(defaults) }
  })
  if (values.json) {
    process.stdout.write(JSON.stringify(rows) + '\n')
    return 0
  }
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(b < 2 ** 20 ? 3 : 0)} MiB`
  process.stdout.write(`device: L1d ${mib(sizes.l1dBytes)}, L2 ${mib(sizes.l2Bytes)}, LLC ${mib(sizes.llcBytes)}, memory ${mib(sizes.memoryBytes)}\n\n`)
  const w = Math.max(...rows.map((r) => r.name.length))
  for (const r of rows) {
    const params = Object.entries(r.params).map(([k, p]) => `${k}=${p.default} ${p.unit} [${p.min}, ${p.max}]`).join('; ')
    process.stdout.write(`${r.name.padEnd(w)}  ${r.family.padEnd(6)}  ${r.description}\n${' '.repeat(w + 10)}${params || '(no parameters)'}\n`)
  }
  return 0
}
