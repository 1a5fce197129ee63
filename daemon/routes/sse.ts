/**
 * The server-sent-event loop shared by replays and generator jobs: the current state first, then
 * live events in order, a keep-alive comment every 15 s, and the stream closes after `end`.
 * @module
 */
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'

const HEARTBEAT_MS = 15_000

/** An SSE event: its name and JSON data. `end` closes the stream. */
export interface StreamEvent { event: string; data: unknown }

export interface EventStreamOptions<E extends StreamEvent> {
  /** The current state as an event (`end` once finished); read again after subscribing. */
  current(): Promise<E>
  /** Event sources to forward while the stream is open; each returns its unsubscribe function. */
  sources: ((send: (e: E) => void) => () => void)[]
}

/**
 * Streams `current()` and then the sources' events until an `end` event or the client leaves.
 * `first` (the caller's own current() before answering, so a 404 is still a plain response)
 * short-circuits a finished stream without subscribing to anything.
 */
export function eventStream<E extends StreamEvent>(c: Context, first: E, { current, sources }: EventStreamOptions<E>): Response {
  return streamSSE(c, async (stream) => {
    let seq = 0
    // Writes are chained so events keep their order even when published in a burst.
    let chain = Promise.resolve()
    const send = (e: E) => {
      chain = chain.then(() => stream.writeSSE({ event: e.event, id: String(seq++), data: JSON.stringify(e.data) }))
      return chain
    }
    if (first.event === 'end') {
      await send(first)
      return
    }
    let finish!: () => void
    const finished = new Promise<void>((r) => { finish = r })
    const unsubscribe = sources.map((source) => source((e) => {
      void send(e)
      if (e.event === 'end') finish()
    }))
    const heartbeat = setInterval(() => { chain = chain.then(() => stream.write(': keep-alive\n\n')).then(() => {}) }, HEARTBEAT_MS)
    stream.onAbort(finish)
    try {
      // The record may have ended between the first read and subscribing: read it again.
      const now = await current()
      await send(now)
      if (now.event !== 'end') await finished
      await chain
    } finally {
      clearInterval(heartbeat)
      for (const u of unsubscribe) u()
    }
  })
}
