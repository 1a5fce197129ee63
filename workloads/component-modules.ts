/**
 * The core modules inside a WASI preview2 component binary. A component made from a preview1
 * command with the WASI adapter (`wasm-tools component new`, jco's componentNew) still holds
 * that command unchanged: it imports only wasi_snapshot_preview1 (the adapter provides it) and
 * exports `_start`. node:wasi runs it as is, so its opcodes can be counted like any core module.
 * @module
 */
import { readUleb } from './leb128.js'

/** Component-model section ids that can hold core modules. */
const CORE_MODULE = 1
const COMPONENT = 4
const PREVIEW1 = 'wasi_snapshot_preview1'

/**
 * Core modules embedded in a component (nested components included), in binary order.
 * @throws RangeError when a section runs past the end of the binary, InvalidInputError when
 *   the binary ends inside a section header.
 */
export function embeddedCoreModules(component: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  let at = 8 // magic + version + layer
  while (at < component.length) {
    const id = component[at]!
    const [size, start] = readUleb(component, at + 1)
    const end = start + size
    if (end > component.length) throw new RangeError(`section ${id} runs past the end of the component`)
    const body = component.subarray(start, end)
    if (id === CORE_MODULE) out.push(body)
    else if (id === COMPONENT) out.push(...embeddedCoreModules(body))
    at = end
  }
  return out
}

/** The embedded preview1 command (see the module note), or undefined when there is none. */
export function embeddedCommandModule(component: Uint8Array): Uint8Array | undefined {
  let modules: Uint8Array[]
  try { modules = embeddedCoreModules(component) } catch { return undefined }
  return modules.find((bytes) => {
    let m: WebAssembly.Module
    // Compiling only reads its imports and exports (V8 compiles function bodies lazily).
    try { m = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>) } catch { return false }
    return WebAssembly.Module.exports(m).some((e) => e.name === '_start' && e.kind === 'function') &&
      WebAssembly.Module.imports(m).every((i) => i.module === PREVIEW1)
  })
}
