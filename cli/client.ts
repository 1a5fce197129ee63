/**
 * HTTP client for the daemon API, shared by the `edgemime ctl` commands: base URL and token
 * from --url/--token or EDGEMIME_URL/EDGEMIME_TOKEN, the API's error bodies turned into
 * EdgemimeErrors with the server's code and message, and server-sent events as an async
 * iterator.
 * @module
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { writeFileSync } from 'node:fs'
import { extname } from 'node:path'
import { EdgemimeError, InvalidInputError } from '../common/errors.js'

/** An error answer from the daemon, carrying its code and HTTP status. */
export class ApiError extends EdgemimeError {
  override name = 'ApiError'
  override readonly code: string
  override readonly status: number
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

export const CLIENT_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const

export interface ClientConfig {
  url?: string | undefined
  token?: string | undefined
}

export class DaemonClient {
  readonly url: string
  readonly #token: string | undefined

  constructor({ url, token }: ClientConfig = {}, env: NodeJS.ProcessEnv = process.env) {
    this.url = (url ?? env.EDGEMIME_URL ?? 'http://127.0.0.1:7070').replace(/\/+$/, '')
    this.#token = token ?? env.EDGEMIME_TOKEN
  }

  /** Sends a request and returns the raw response; throws ApiError on a non-2xx answer. */
  async fetch(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json' }
    if (this.#token) headers.authorization = `Bearer ${this.#token}`
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    try {
      res = await fetch(`${this.url}${path}`, {
        method: init.method ?? 'GET', headers, ...(init.signal ? { signal: init.signal } : {}),
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      })
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      throw new EdgemimeError(`cannot reach the daemon at ${this.url}: ${cause?.code ?? cause?.message ?? (err as Error).message} (is it running? \`npm start\`; or set --url / EDGEMIME_URL)`)
    }
    if (res.ok) return res
    const text = await res.text()
    let code = `EM_HTTP_${res.status}`
    let message = text || res.statusText
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } }
      if (body.error?.message) ({ code = code, message } = body.error as { code?: string; message: string })
    } catch { /* not JSON: keep the text */ }
    throw new ApiError(res.status, code, `${res.status} ${message}`)
  }

  async json<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const res = await this.fetch(path, init)
    return (res.status === 204 ? undefined : await res.json()) as T
  }

  /** Saves a chart route (.svg or .png, chosen by the file's extension) to `file`. */
  async saveChart(path: string, file: string): Promise<void> {
    const format = extname(file).toLowerCase().slice(1)
    if (format !== 'svg' && format !== 'png') throw new InvalidInputError(`--out must end in .svg or .png, got '${file}'`)
    const res = await this.fetch(`${path}?format=${format}`, { accept: format === 'svg' ? 'image/svg+xml' : 'image/png' })
    writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  }

  /** The server-sent events of `path` until the server closes the stream or `signal` aborts. */
  async *events(path: string, signal?: AbortSignal): AsyncGenerator<{ event: string; data: unknown }> {
    const res = await this.fetch(path, { accept: 'text/event-stream', ...(signal ? { signal } : {}) })
    const queue: EventSourceMessage[] = []
    const parser = createParser({ onEvent: (e) => queue.push(e) })
    const decoder = new TextDecoder()
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }))
        while (queue.length > 0) {
          const e = queue.shift()!
          yield { event: e.event ?? 'message', data: JSON.parse(e.data) as unknown }
        }
      }
    } catch (err) {
      if (!signal?.aborted) throw err
    }
  }
}

/**
 * The record running now in a collection that has one at a time (`/v1/replays`,
 * `/v1/generator/jobs`), for commands given no id.
 * @throws InvalidInputError naming `what` when nothing runs.
 */
export async function currentRecord<T>(client: DaemonClient, collection: string, what: string): Promise<T> {
  const { current } = await client.json<{ current: T | null }>(`${collection}/current`)
  if (!current) throw new InvalidInputError(`no ${what} is running on this daemon (give an id)`)
  return current
}

/** The running record, else the latest one. @throws InvalidInputError when there is none. */
export async function currentOrLatestRecord<T>(client: DaemonClient, collection: string, what: string): Promise<T> {
  const { current } = await client.json<{ current: T | null }>(`${collection}/current`)
  if (current) return current
  const [latest] = await client.json<T[]>(`${collection}?limit=1`)
  if (!latest) throw new InvalidInputError(`this daemon has no ${what}s yet`)
  return latest
}
