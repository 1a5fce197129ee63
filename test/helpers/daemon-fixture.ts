/**
 * Shared set-up for the daemon tests: a config in a fresh temp directory (port 0, small caps)
 * and a real daemon over it that the test tears down.
 */
import { join } from 'node:path'
import type { Caps, Config } from '../../common/config.js'
import { defaultConfig } from '../../common/config.js'
import { createDaemon, type Daemon, type DaemonOptions } from '../../daemon/index.js'
import { tempDir, type Teardown } from './temp-dir.js'

/** Config fields to override; caps fields merge into the defaults. */
export type ConfigOverrides = Partial<Omit<Config, 'caps'>> & { caps?: Partial<Caps> }

/** A config in a fresh directory, removed when `t` ends (after anything registered later, e.g. a daemon's close). */
export function tempConfig({ caps, ...over }: ConfigOverrides, t: Teardown): Config {
  const dir = tempDir(t, 'edgemime-daemon-')
  const base = defaultConfig()
  return { ...base, port: 0, dataDir: dir, caps: { ...base.caps, diskDir: join(dir, 'disk'), ...caps }, ...over }
}

/** A daemon on a temp store, closed and removed when the test ends. */
export async function startDaemon(t: Teardown, over: ConfigOverrides = {}, opts: Omit<DaemonOptions, 'config'> = {}): Promise<Daemon> {
  const config = tempConfig(over, t)
  const daemon = await createDaemon({ config, log: () => {}, ...opts })
  t.teardown(() => daemon.close())
  return daemon
}

/** A small real composition: `threads` threads hashing a 64 KiB buffer for `busy` of each window. */
export function tinyComposition({ windows = 4, windowMs = 50, threads = 1, busy = 0.5 } = {}) {
  return {
    version: 1, windowMs, threads,
    stressors: [{ name: 'cpu-crc32c', params: { bufferBytes: 65536 } }],
    windows: Array.from({ length: windows }, () => [Array.from({ length: threads }, () => busy)]),
    metadata: { source: 'test' },
  }
}

export const jsonReq = (method: string, body?: unknown, headers: Record<string, string> = {}) => ({
  method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
})
