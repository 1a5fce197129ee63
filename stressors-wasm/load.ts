/**
 * Reading compositions from files, or by name from the bundled examples in configs/compositions/.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { InvalidInputError, NotFoundError } from '../common/errors.js'
import { parseComposition, type Composition } from './composition.js'

/** configs/compositions/, from the sources or from dist/. */
export function bundledCompositionsDir(): string {
  const rel = import.meta.url.includes('/dist/') ? '../../configs/compositions/' : '../configs/compositions/'
  return fileURLToPath(new URL(rel, import.meta.url))
}

/** Names of the bundled example compositions ('demo', ...). */
export function bundledCompositions(): string[] {
  return readdirSync(bundledCompositionsDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()
}

/**
 * Reads and validates a composition from a JSON file, or a bundled one by bare name.
 * @throws NotFoundError (no such file or bundled name), InvalidInputError (not JSON, invalid).
 */
export function loadComposition(pathOrName: string): Composition {
  let path = pathOrName
  if (!existsSync(path) && /^[\w-]+$/.test(pathOrName)) {
    const bundled = `${bundledCompositionsDir()}${pathOrName}.json`
    if (existsSync(bundled)) path = bundled
  }
  let text: string
  try { text = readFileSync(path, 'utf8') } catch (e) {
    throw new NotFoundError(`cannot read composition ${pathOrName}: ${(e as Error).message} (bundled: ${bundledCompositions().join(', ')})`)
  }
  let json: unknown
  try { json = JSON.parse(text) } catch (e) {
    throw new InvalidInputError(`composition ${pathOrName} is not valid JSON: ${(e as Error).message}`)
  }
  return parseComposition(json)
}
