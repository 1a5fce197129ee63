/**
 * `ctl ... watch`: follows a daemon record's SSE events (a replay, a generator job) with a
 * progress bar until it ends, then prints it; Ctrl-C detaches and leaves it running.
 * @module
 */
import { progressBar } from '../common/progress.js'
import type { DaemonClient } from './client.js'
import { cpuSummary } from './ctl-format.js'

/** What a followed record reports: its state and how many of its windows are done. */
export interface Followed { state: string; windowsDone: number }

export interface FollowSpec<R extends Followed> {
  /** The record's event stream, e.g. `/v1/replays/{id}/events`. */
  path: string
  /** Progress bar title and size, from the first state the stream sends. */
  bar: (r: R) => { title: string; total: number }
  /** The event that moves the bar (its data carries `windowsDone`) and the bar's text for it. */
  progress: { event: string; detail: (data: unknown, cpu: string) => string }
  /** Called with every state the stream sends. */
  onState?: (r: R) => void
  ended: (r: R) => boolean
  /** Printed when following stops before the record ended. */
  detached: string
  describe: (r: R) => string
}

/** Follows until the record ends (exit 0 if it completed or was stopped, else 1) or detaches (0). */
export async function follow<R extends Followed>(client: DaemonClient, spec: FollowSpec<R>): Promise<number> {
  const abort = new AbortController()
  const detach = () => abort.abort()
  process.once('SIGINT', detach)
  let bar: ReturnType<typeof progressBar> | undefined
  let last: R | undefined
  let cpu = ''
  try {
    for await (const e of client.events(spec.path, abort.signal)) {
      if (e.event === 'state' || e.event === 'end') {
        last = e.data as R
        spec.onState?.(last)
        if (!bar) { const b = spec.bar(last); bar = progressBar(b.title, b.total) }
        bar.update(last.windowsDone)
      } else if (e.event === spec.progress.event) {
        bar?.update((e.data as Followed).windowsDone, spec.progress.detail(e.data, cpu))
      } else if (e.event === 'telemetry') {
        cpu = cpuSummary((e.data as { values: Record<string, number> }).values)
      }
    }
  } finally {
    process.off('SIGINT', detach)
    bar?.stop()
  }
  if (abort.signal.aborted || !last || !spec.ended(last)) {
    process.stderr.write(`${spec.detached}\n`)
    return 0
  }
  process.stdout.write(spec.describe(last))
  return last.state === 'completed' || last.state === 'stopped' ? 0 : 1
}
