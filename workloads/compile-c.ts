/**
 * Builds WASI workloads from C with the system's clang + wasm-ld + wasi-libc (Debian packages
 * clang, lld, wasi-libc), and wraps core modules into preview2 components with jco's bundled
 * preview1 adapter.
 * @module
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { EdgemimeError, InvalidInputError } from '../common/errors.js'

const run = promisify(execFile)

/** Why C cannot be built here, or null when clang targets wasm32-wasi. */
export async function cToolchainMissing(): Promise<string | null> {
  try {
    await run('clang', ['--target=wasm32-wasi', '-print-libgcc-file-name'])
    await run('wasm-ld', ['--version'])
  } catch (e) {
    return `no clang/wasm-ld for wasm32-wasi (${(e as Error).message.split('\n')[0]}); apt-get install clang lld wasi-libc libclang-rt-dev-wasm32`
  }
  return null
}

/**
 * Compiles one C file to a stripped WASI preview1 command module at `outPath`.
 * @throws InvalidInputError with clang's diagnostics when the source does not compile.
 */
export async function compileC(srcPath: string, outPath: string, optLevel = '-O2'): Promise<Uint8Array> {
  try {
    await run('clang', ['--target=wasm32-wasi', optLevel, '-Wl,--strip-all', '-o', outPath, srcPath])
  } catch (e) {
    throw new InvalidInputError(`clang failed on ${srcPath}: ${(e as { stderr?: string }).stderr || (e as Error).message}`)
  }
  return readFile(outPath)
}

/** Wraps a preview1 command module into a WASI preview2 component (jco's command adapter). */
export async function toComponent(coreWasm: Uint8Array): Promise<Uint8Array> {
  const jco = await import('@bytecodealliance/jco')
  const adapter = await readFile(jco.preview1AdapterCommandPath())
  try {
    return await jco.componentNew(coreWasm, [['wasi_snapshot_preview1', adapter]])
  } catch (e) {
    throw new EdgemimeError(`cannot make a component: ${(e as Error).message ?? String(e)}`)
  }
}
