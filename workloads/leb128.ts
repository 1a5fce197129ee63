/**
 * Unsigned LEB128, the variable-length integers of the WebAssembly binary format (section
 * sizes, counts, limits). Shared by the module rewriter (memory-cap.ts) and the component
 * reader (component-modules.ts).
 * @see https://webassembly.github.io/spec/core/binary/values.html#integers
 * @module
 */
import { InvalidInputError } from '../common/errors.js'

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
export function readUleb(b: Uint8Array, pos: number): [number, number] {
  let result = 0
  let shift = 0
  for (;;) {
    if (pos >= b.length) throw new InvalidInputError('truncated WebAssembly module')
    const byte = b[pos++]!
    result += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return [result, pos]
    shift += 7
  }
}

/** The unsigned LEB128 bytes of `v`. */
export function writeUleb(v: number): number[] {
  const out: number[] = []
  do {
    let byte = v % 128
    v = Math.floor(v / 128)
    if (v > 0) byte |= 0x80
    out.push(byte)
  } while (v > 0)
  return out
}
