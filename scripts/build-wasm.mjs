// Compiles every AssemblyScript entry `<folder>/assembly/<name>.entry.ts` to
// `<folder>/build/<name>.wasm` with the project's flags: optimised (-O3), SIMD on, stub runtime
// (the kernels allocate nothing after start), raw bindings (the host instantiates directly;
// @assemblyscript/loader is deprecated upstream).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js')
const folders = ['stressors-wasm', 'ml']
let built = 0
for (const folder of folders) {
  const src = join(root, folder, 'assembly')
  if (!existsSync(src)) continue
  for (const file of readdirSync(src).filter((f) => f.endsWith('.entry.ts'))) {
    const name = file.replace(/\.entry\.ts$/, '')
    const outDir = join(root, folder, 'build')
    mkdirSync(outDir, { recursive: true })
    const args = [asc, join(src, file), '-O3', '--runtime', 'stub', '--bindings', 'raw',
      '--enable', 'simd', '--noAssert', '--outFile', join(outDir, `${name}.wasm`)]
    const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root })
    if (r.status !== 0) {
      console.error(`build-wasm: ${folder}/assembly/${file} failed to compile`)
      process.exit(1)
    }
    built++
  }
}
console.log(`build-wasm: ${built} module(s) built`)
