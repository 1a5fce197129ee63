/**
 * Error classes with stable codes (after undici's lib/core/errors.js): callers branch on
 * `code`, the HTTP layer maps `status`, and the CLI prints `message` and exits non-zero.
 * @module
 */

export class EdgemimeError extends Error {
  override name = 'EdgemimeError'
  readonly code: string = 'EM_ERROR'
  /** HTTP status the API answers with when this error escapes a handler. */
  readonly status: number = 500
}

/** Input that does not have the right shape or values (HTTP 400). */
export class InvalidInputError extends EdgemimeError {
  override name = 'InvalidInputError'
  override readonly code = 'EM_INVALID_INPUT'
  override readonly status = 400
}

/** A request that is well-formed but exceeds the device's configured caps (HTTP 422). */
export class CapExceededError extends EdgemimeError {
  override name = 'CapExceededError'
  override readonly code = 'EM_CAP_EXCEEDED'
  override readonly status = 422
}

export class NotFoundError extends EdgemimeError {
  override name = 'NotFoundError'
  override readonly code = 'EM_NOT_FOUND'
  override readonly status = 404
}

/** The resource is busy, e.g. a replay already runs on this device (HTTP 409). */
export class ConflictError extends EdgemimeError {
  override name = 'ConflictError'
  override readonly code = 'EM_CONFLICT'
  override readonly status = 409
}

export class UnauthorizedError extends EdgemimeError {
  override name = 'UnauthorizedError'
  override readonly code = 'EM_UNAUTHORIZED'
  override readonly status = 401
}

export class ForbiddenError extends EdgemimeError {
  override name = 'ForbiddenError'
  override readonly code = 'EM_FORBIDDEN'
  override readonly status = 403
}

/** A configuration file or environment override that cannot be used; raised at start. */
export class ConfigError extends EdgemimeError {
  override name = 'ConfigError'
  override readonly code = 'EM_CONFIG'
  override readonly status = 500
}
