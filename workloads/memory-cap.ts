/**
 * Caps the linear memory of a core WebAssembly module by rewriting the maximum of every memory
 * it defines (memory section) or imports (import section). V8 enforces the maximum on
 * memory.grow, so a workload that asks for more gets -1 (malloc returns NULL) instead of
 * taking the host's memory: the limit holds inside the engine, not by polling.
 * @see https://webassembly.github.io/spec/core/binary/modules.html
 * @module
 */
import { CapExceededError, InvalidInputError } from '../common/errors.js'
import { readUleb, writeUleb } from './leb128.js'

const PAGE = 65536

function capLimits(b: Uint8Array, pos: number, maxPages: number, where: string): [number[], number] {
  const flags = b[pos]!
  if (flags & 0x04) throw new InvalidInputError(`${where}: 64-bit memories are not supported`)
  let [min, p] = readUleb(b, pos + 1)
  let max = Infinity
  if (flags & 0x01) [max, p] = readUleb(b, p)
  if (min > maxPages) {
    throw new CapExceededError(`${where} needs ${min * PAGE} bytes at start, over the memory limit of ${maxPages * PAGE} bytes`)
  }
  const newMax = Math.min(max, maxPages)
  // Keep the shared flag (0x02); always set has-max (0x01).
  return [[(flags & 0x02) | 0x01, ...writeUleb(min), ...writeUleb(newMax)], p]
}

/**
 * Returns a copy of `wasm` whose memories cannot grow past `limitBytes`.
 * @throws CapExceededError when a memory's initial size is already over the limit.
 * @throws InvalidInputError when the bytes are not a core module.
 */
export function capMemory(wasm: Uint8Array, limitBytes: number): Uint8Array {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d || wasm[4] !== 1) {
    throw new InvalidInputError('not a WebAssembly core module')
  }
  const maxPages = Math.max(1, Math.floor(limitBytes / PAGE))
  const parts: Uint8Array[] = [wasm.subarray(0, 8)]
  let pos = 8
  while (pos < wasm.length) {
    const id = wasm[pos]!
    const [size, start] = readUleb(wasm, pos + 1)
    const end = start + size
    if (end > wasm.length) throw new InvalidInputError('truncated WebAssembly section')
    if (id === 5) parts.push(section(5, rewriteMemories(wasm, start, end, maxPages)))
    else if (id === 2) parts.push(section(2, rewriteImports(wasm, start, end, maxPages)))
    else parts.push(wasm.subarray(pos, end))
    pos = end
  }
  return Buffer.concat(parts)
}

function section(id: number, body: number[]): Uint8Array {
  return Uint8Array.from([id, ...writeUleb(body.length), ...body])
}

function rewriteMemories(b: Uint8Array, start: number, end: number, maxPages: number): number[] {
  let [count, p] = readUleb(b, start)
  const out = writeUleb(count)
  while (count-- > 0) {
    const [limits, next] = capLimits(b, p, maxPages, 'memory')
    out.push(...limits)
    p = next
  }
  if (p !== end) throw new InvalidInputError('malformed memory section')
  return out
}

function rewriteImports(b: Uint8Array, start: number, end: number, maxPages: number): number[] {
  let [count, p] = readUleb(b, start)
  const out = writeUleb(count)
  while (count-- > 0) {
    const from = p
    for (let name = 0; name < 2; name++) {
      const [len, q] = readUleb(b, p)
      p = q + len
    }
    const kind = b[p]!
    out.push(...b.subarray(from, p + 1))
    p++
    if (kind === 0x02) {
      const [limits, next] = capLimits(b, p, maxPages, 'imported memory')
      out.push(...limits)
      p = next
    } else {
      const descEnd = skipImportDesc(b, p, kind)
      out.push(...b.subarray(p, descEnd))
      p = descEnd
    }
  }
  if (p !== end) throw new InvalidInputError('malformed import section')
  return out
}

/** Length of a func/table/global/tag import descriptor, which this rewrite copies verbatim. */
function skipImportDesc(b: Uint8Array, p: number, kind: number): number {
  switch (kind) {
    case 0x00: return readUleb(b, p)[1] // type index
    case 0x01: { // reftype + limits
      const flags = b[p + 1]!
      let q = readUleb(b, p + 2)[1]
      if (flags & 0x01) q = readUleb(b, q)[1]
      return q
    }
    case 0x03: return p + 2 // valtype + mutability
    case 0x04: return readUleb(b, p + 1)[1] // tag: attribute + type index
    default: throw new InvalidInputError(`unknown import kind 0x${kind.toString(16)}`)
  }
}
