/**
 * WASI preview2 components: transpiled once per (module hash, memory limit) with jco into JS +
 * core modules on disk, with the preview2-shim imports pinned to this package's copy so the
 * output can live in any cache directory.
 * @module
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { InvalidInputError } from '../common/errors.js'
import { capMemory } from './memory-cap.js'
import type { WasmKind } from './types.js'

const SHIM = '@bytecodealliance/preview2-shim'

/** Tells a preview1 core module from a preview2 component by the binary header's layer field. */
export function wasmKind(wasm: Uint8Array): WasmKind {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new InvalidInputError('not a WebAssembly binary (bad magic)')
  }
  if (wasm[4] === 1 && wasm[5] === 0 && wasm[6] === 0 && wasm[7] === 0) return 'preview1'
  if (wasm[6] === 1 && wasm[7] === 0) return 'preview2'
  throw new InvalidInputError(`unsupported WebAssembly binary version ${Array.from(wasm.subarray(4, 8)).join('.')}`)
}

/** Hex sha256 of a module: the key of every cache (profiles, transpiled components). */
export function moduleHash(wasm: Uint8Array): string {
  return createHash('sha256').update(wasm).digest('hex')
}

/**
 * Transpiles a component into `cacheDir` (once) and returns the URL of its JS entry, whose
 * `run.run()` is the WASI command's main.
 * @throws InvalidInputError when jco cannot transpile the bytes or it is not a WASI command.
 */
export async function prepareComponent(wasm: Uint8Array, memoryLimitBytes: number, cacheDir: string): Promise<string> {
  // The transpiled JS imports this package's preview2-shim by absolute URL (pinShim), and the run
  // worker configures that same shim instance: two installs sharing a cache must not share entries.
  const install = createHash('sha256').update(shimUrl('cli')).digest('hex').slice(0, 12)
  const dir = join(cacheDir, `${moduleHash(wasm)}-${memoryLimitBytes}-${install}`)
  const entry = join(dir, 'component.js')
  if (existsSync(entry)) return pathToFileURL(entry).href
  let out: Awaited<ReturnType<typeof import('@bytecodealliance/jco').transpile>>
  try {
    // Loaded on first use: jco is large and most devices only run core modules.
    const { transpile } = await import('@bytecodealliance/jco')
    out = await transpile(wasm, { name: 'component', noTypescript: true, quiet: true })
  } catch (e) {
    throw new InvalidInputError(`cannot transpile component: ${(e as Error).message ?? String(e)}`)
  }
  if (!out.exports.some(([name]) => name === 'run' || name.startsWith('wasi:cli/run'))) {
    throw new InvalidInputError('component does not export wasi:cli/run (not a WASI command)')
  }
  // Write to a fresh directory and rename it into place so a concurrent run never sees half of it.
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`
  await mkdir(tmp, { recursive: true })
  // jco emits ESM; the cache may sit outside any package that says so.
  await writeFile(join(tmp, 'package.json'), '{"type":"module"}')
  for (const [name, bytes] of Object.entries(out.files)) {
    let data: Uint8Array | string = bytes
    if (name.endsWith('.wasm')) data = capMemory(bytes, memoryLimitBytes)
    else if (name.endsWith('.js')) data = pinShim(Buffer.from(bytes).toString('utf8'))
    await mkdir(join(tmp, name, '..'), { recursive: true })
    await writeFile(join(tmp, name), data)
  }
  try { await rename(tmp, dir) } catch { /* another run won the race; its copy is identical */ }
  return pathToFileURL(entry).href
}

/** Rewrites bare `@bytecodealliance/preview2-shim/<x>` imports to absolute file URLs. */
function pinShim(js: string): string {
  return js.replace(new RegExp(`(['"])${SHIM}/([a-z-]+)\\1`, 'g'), (_m, q: string, sub: string) => `${q}${shimUrl(sub)}${q}`)
}

/** Absolute URL of one preview2-shim module as resolved from this package. */
export function shimUrl(sub: string): string {
  return import.meta.resolve(`${SHIM}/${sub}`)
}
