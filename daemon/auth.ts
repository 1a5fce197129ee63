/**
 * Bearer-token authentication with scopes. Tokens live in the config as sha256 digests only;
 * a request's token is hashed and compared in constant time. With no tokens configured the API
 * is open, which `assertSafeBinding` allows only on loopback addresses.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { Config } from '../common/config.js'
import { ConfigError, ForbiddenError, UnauthorizedError } from '../common/errors.js'

export type Scope = Config['tokens'][number]['scopes'][number]

/** A configured token: its digest and scopes. Generic so the orchestrator's scopes reuse it. */
export interface TokenEntry<S extends string = Scope> {
  name: string
  sha256: string
  scopes: S[]
}

export interface Principal<S extends string = Scope> {
  name: string
  scopes: readonly S[]
}

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal<string>
  }
}

/** The hex sha256 digest under which a token is stored in the config. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** A fresh random token (256 bits, base64url) and its config entry. */
export function generateToken<S extends string = Scope>(name: string, scopes: S[]): { token: string; entry: TokenEntry<S> } {
  const token = `em_${randomBytes(32).toString('base64url')}`
  return { token, entry: { name, sha256: hashToken(token), scopes } }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i

/**
 * Refuses to expose an unauthenticated API beyond this machine.
 * @throws ConfigError when `host` is not loopback and no tokens are configured.
 */
export function assertSafeBinding(config: { host: string; tokens: readonly unknown[] }): void {
  if (!LOOPBACK.test(config.host) && config.tokens.length === 0) {
    throw new ConfigError(`refusing to listen on ${config.host} without API tokens: add a token to "tokens" (see \`edgemime daemon token\`) or bind to 127.0.0.1`)
  }
}

/** The token of an `Authorization: Bearer` header value, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
}

/** Finds the principal for an Authorization header value, or undefined. */
export function authenticate<S extends string>(tokens: readonly TokenEntry<S>[], header: string | undefined): Principal<S> | undefined {
  const token = bearerToken(header)
  if (token === undefined) return undefined
  const digest = Buffer.from(hashToken(token), 'hex')
  for (const t of tokens) {
    if (timingSafeEqual(digest, Buffer.from(t.sha256, 'hex'))) return { name: t.name, scopes: t.scopes }
  }
  return undefined
}

/** Everyone, when no tokens are configured (loopback only, see assertSafeBinding). */
const OPEN: Principal<string> = { name: 'anonymous', scopes: ['admin'] }

/**
 * Middleware requiring `scope` (or admin). Reads the tokens on every request so a SIGHUP
 * reload takes effect at once.
 */
export function requireScope<S extends string>(scope: S, tokens: () => readonly TokenEntry<S | 'admin'>[]): MiddlewareHandler {
  return async (c, next) => {
    const configured = tokens()
    let principal: Principal<string> | undefined = OPEN
    if (configured.length > 0) {
      principal = authenticate(configured, c.req.header('authorization'))
      if (!principal) {
        c.header('WWW-Authenticate', 'Bearer realm="edgemime"')
        throw new UnauthorizedError('missing or unknown bearer token')
      }
    }
    if (!principal.scopes.includes(scope) && !principal.scopes.includes('admin')) {
      throw new ForbiddenError(`token '${principal.name}' lacks the '${scope}' scope`)
    }
    c.set('principal', principal)
    await next()
  }
}
