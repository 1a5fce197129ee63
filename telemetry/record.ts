/**
 * Recording sessions built on the sampler: the machine for a duration or while a command runs,
 * and a composition replay with one row per window.
 * @module
 */
import { spawn } from 'node:child_process'
import { InvalidInputError } from '../common/errors.js'
import { Sampler, type OnSample, type SamplerOptions } from './sampler.js'
import type { Trace } from './types.js'

export interface RecordOptions extends SamplerOptions {
  /** Seconds to record; with a command, an upper bound after which the command gets SIGTERM. */
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
    const onAbort = () => { child?.kill('SIGTERM'); end(null) }
    signal?.addEventListener('abort', onAbort, { once: true })
    const rows = durationS === undefined ? Infinity : Math.max(1, Math.round((durationS * 1000) / sampler.periodMs))
    let taken = 0
    sampler.start((row, columns) => {
      onSample?.(row, columns)
      if (++taken >= rows) {
        if (child) child.kill('SIGTERM')
        else end(null)
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

/**
 * Records while a composition replays, one row per window (or per n windows when windows are
 * shorter than the sampler's 100 ms minimum): row i covers window i exactly. The replay gets one
 * idle lead window prepended, whose completion marks the start of window 0 with the same
 * report latency as every later boundary; `play` receives that composition and must call
 * `onWindow` for each completed window (the executor's ReplayOptions.onWindow).
 * @example const { trace, result } = await recordReplay(comp, (c, onWindow) => executor.replay(c, { onWindow }))
 */
export async function recordReplay<C extends WindowedLike, R>(
  comp: C,
  play: (withLead: C, onWindow: (w: { index: number }) => void) => Promise<R>,
  options: Omit<SamplerOptions, 'periodMs'> & { onSample?: OnSample } = {},
): Promise<{ trace: Trace; result: R }> {
  const { onSample, ...samplerOptions } = options
  const every = Math.ceil(100 / comp.windowMs)
  const sampler = new Sampler({ ...samplerOptions, periodMs: comp.windowMs * every })
  sampler.calibrate()
  const idle = comp.windows[0]!.map((row) => row.map(() => 0))
  const withLead = { ...comp, windows: [idle, ...comp.windows] }
  let result: R
  try {
    result = await play(withLead, ({ index }) => {
      if (index === 0) sampler.start(onSample, { periodic: false })
      else if (index % every === 0) sampler.sample()
    })
  } catch (e) {
    sampler.stop()
    throw e
  }
  return { trace: sampler.stop(), result }
}
