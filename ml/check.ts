/** Argument checks shared by the engine's public entry points. @module */
import { InvalidInputError } from '../common/errors.js'

/** Throws unless `buf` holds at least `need` values. */
export function checkLength(what: string, buf: ArrayLike<number>, need: number): void {
  if (buf.length < need) throw new InvalidInputError(`${what}: need ${need} values, got ${buf.length}`)
}
