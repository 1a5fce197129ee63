/**
 * Recording sessions built on the sampler: the machine for a duration or while a command runs,
 * and a composition replay with one row per window.
 * @module
 */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { InvalidInputError } from '../common/errors.js'
import { deviceFingerprint } from './fingerprint.js'
import { Sampler, type OnSample, type SamplerOptions } from './sampler.js'
import { writeTraceCsv } from './trace-io.js'
import type { Trace } from './types.js'

export interface RecordOptions extends SamplerOptions {
  /** Seconds to record; with a command, an upper bound after which the command gets SIGTERM (SIGKILL 5 s later). */
  durationS?: number
  /** Program and arguments to run; recording stops when it exits. */
  command?: string[]
  onSample?: OnSample
  /** Aborting stops the recording early (and terminates the command). */
  signal?: AbortSignal
}

/**
 * Records the machine for `durationS`, or while `command` runs. A command's last partial
 * period still gets a row, so short commands are recorded too.
 * @returns the trace and the command's exit code (null without a command or when it was killed).
 * @throws InvalidInputError for neither duration nor command, a bad duration, or a command that cannot start.
 */
export async function recordTrace({ durationS, command, onSample, signal, ...samplerOptions }: RecordOptions): Promise<{ trace: Trace; exitCode: number | null }> {
  if (durationS === undefined && !command?.length) throw new InvalidInputError('record needs a duration or a command')
  if (durationS !== undefined && !(durationS > 0 && Number.isFinite(durationS))) throw new InvalidInputError(`duration must be a positive number of seconds, got ${durationS}`)
  const sampler = new Sampler(samplerOptions)
  sampler.calibrate()
  const child = command?.length ? spawn(command[0]!, command.slice(1), { stdio: 'inherit' }) : null
  /** SIGTERM, then SIGKILL for a command that ignores it. */
  const terminate = () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') }, 5000).unref()
  }
  return new Promise((resolve, reject) => {
    let ended = false
    const end = (exitCode: number | null, err?: Error) => {
      if (ended) return
      ended = true
      signal?.removeEventListener('abort', onAbort)
      if (err) { sampler.stop(); reject(err); return }
      // The last, partial period (a command that exited mid-period) still gets a row.
      if (child && sampler.running && (sampler.rowCount === 0 || sampler.sinceLastMs >= sampler.periodMs / 10)) sampler.sample()
      resolve({ trace: sampler.stop(), exitCode })
    }
    const onAbort = () => { terminate(); end(null) }
    signal?.addEventListener('abort', onAbort, { once: true })
    const rows = durationS === undefined ? Infinity : Math.max(1, Math.round((durationS * 1000) / sampler.periodMs))
    let taken = 0
    sampler.start((row, columns) => {
      onSample?.(row, columns)
      if (++taken >= rows) {
        terminate()
        end(null)
      }
    })
    if (child) {
      child.once('error', (e) => end(null, new InvalidInputError(`cannot run '${command![0]}': ${e.message}`)))
      child.once('exit', (code) => end(code))
    }
  })
}

/** The shape of a composition as far as recording needs it: windows of M × K fractions. */
export interface WindowedLike { windowMs: number; windows: number[][][] }

/** Options of recordReplay: sampler options, repeat passes and a row callback. */
export type RecordReplayOptions = Omit<SamplerOptions, 'periodMs'> & { repeat?: number; onSample?: OnSample }

/** What recordReplay needs from a window report (the executor's WindowReport has both). */
export interface WindowReportLike { index: number; actualStartMs: number }

/**
 * Records while a composition replays, one row per window (or per n windows when windows are
 * shorter than the sampler's 100 ms minimum): row i covers window i. `play` gets the
 * composition with one idle lead window prepended (and `repeat` passes unrolled, so play it
 * once) and must call `onWindow` for each completed window (the executor's
 * ReplayOptions.onWindow). An idle window's report leaves its worker the moment the window
 * starts, so the lead window's report gives the replay's anchor (within the message latency);
 * rows are then taken on the windows' own schedule, anchor + W + k × W.
 * @example const { trace, result } = await recordReplay(comp, (c, onWindow) => executor.replay(c, { onWindow }))
 */
export async function recordReplay<C extends WindowedLike, R>(
  comp: C,
  play: (withLead: C, onWindow: (w: WindowReportLike) => void) => Promise<R>,
  { repeat = 1, onSample, ...samplerOptions }: RecordReplayOptions = {},
): Promise<{ trace: Trace; result: R }> {
  if (!(Number.isInteger(repeat) && repeat >= 1)) throw new InvalidInputError(`repeat must be a positive integer, got ${repeat}`)
  const W = comp.windowMs
  const every = Math.ceil(100 / W)
  const rows = Math.max(1, Math.floor((comp.windows.length * repeat) / every))
  const sampler = new Sampler({ ...samplerOptions, periodMs: W * every })
  sampler.calibrate()
  const idle = comp.windows[0]!.map((row) => row.map(() => 0))
  const withLead = { ...comp, windows: [idle, ...Array.from({ length: repeat }, () => comp.windows).flat()] }
  let allRows!: () => void
  const done = new Promise<void>((resolve) => { allRows = resolve })
  const onRow: OnSample = (row, columns) => {
    onSample?.(row, columns)
    if (sampler.rowCount >= rows) allRows()
  }
  let result: R
  try {
    result = await play(withLead, (w) => {
      if (w.index !== 0) return
      const anchorMs = Number(process.hrtime.bigint()) / 1e6 - w.actualStartMs
      sampler.start(onRow, { atMs: anchorMs + W })
    })
    // A window's report comes when its last stressor ends, before any trailing idle time, so
    // the replay can finish before the last row is due: wait for it (not past two periods).
    if (sampler.running && sampler.rowCount < rows) await Promise.race([done, sleep(2 * W * every + 50, undefined, { ref: false })])
  } catch (e) {
    sampler.stop()
    throw e
  }
  const trace = sampler.stop()
  trace.rows = trace.rows.slice(0, rows)
  trace.meta!.notes = { ...trace.meta!.notes, windowMs: W, windowsPerRow: every, repeat }
  return { trace, result }
}

/** recordReplay, then writes the trace (with the device fingerprint in its sidecar) to `path`. */
export async function recordReplayToCsv<C extends WindowedLike, R>(
  path: string, comp: C, play: (withLead: C, onWindow: (w: WindowReportLike) => void) => Promise<R>, options: RecordReplayOptions = {},
): Promise<R> {
  const { trace, result } = await recordReplay(comp, play, { fingerprint: await deviceFingerprint(), ...options })
  writeTraceCsv(trace, path)
  return result
}
