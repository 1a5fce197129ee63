/**
 * Small builders for route definitions, so each route states only what differs.
 * @module
 */
import type { ZodType } from 'zod'
import { ErrorSchema } from '../schemas.js'

/** A JSON response (or request body) entry of a route definition. */
export function json<T extends ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description }
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input (message names the field)',
  401: 'Missing or unknown bearer token',
  403: 'Token lacks the scope',
  404: 'Not found',
  409: 'Busy or in the wrong state (message says why)',
  413: 'Request body over maxBodyBytes',
  422: 'Over the device caps',
  503: 'Not ready',
}

/** Error responses of a route, all with the Error schema. */
export function errors(...codes: number[]) {
  return Object.fromEntries(codes.map((c) => [c, json(ErrorSchema, ERROR_TEXT[c] ?? 'Error')]))
}

/** The bearer security requirement for OpenAPI. */
export const BEARER = [{ bearerAuth: [] }]
