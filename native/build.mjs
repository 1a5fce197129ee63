// Builds the optional N-API addon at install time. A failed build is not an install failure:
// every native feature has a pure-JS fallback that reports itself as such (native/index.ts).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const root = dirname(dirname(new URL(import.meta.url).pathname))
if (!existsSync(join(root, 'binding.gyp')) || process.env.EDGEMIME_SKIP_ADDON === '1') {
  console.log('edgemime: native addon skipped; pure-JS fallbacks will be used')
  process.exit(0)
}
// npm exposes its bundled node-gyp to lifecycle scripts; fall back to a local install.
let gyp = process.env.npm_config_node_gyp
if (!gyp || !existsSync(gyp)) {
  try { gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js') } catch { gyp = undefined }
}
if (!gyp) {
  console.warn('edgemime: node-gyp not found; native addon not built, pure-JS fallbacks will be used')
  process.exit(0)
}
// Outside npm (node native/build.mjs) npm's nodedir setting is absent: use the headers installed
// beside this node binary when they are there, so no download is needed.
const args = [gyp, 'rebuild']
const prefix = dirname(dirname(process.execPath))
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'common.gypi'))) {
  args.push(`--nodedir=${prefix}`)
}
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
if (r.status !== 0) {
  console.warn('edgemime: native addon failed to build; pure-JS fallbacks will be used')
}
process.exit(0)
