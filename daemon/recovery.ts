/**
 * Crash recovery, run once when the store opens and before the API serves anything. A daemon
 * killed with SIGKILL leaves records that still say 'running' or 'recording'; its stressor
 * threads died with the process, so those records are marked interrupted (with fsync) and the
 * disk stressors' leftover files are removed.
 * @module
 */
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Store } from './store.js'
import type { ReplayRecord, TraceMeta } from './types.js'

export interface RecoveryReport {
  replays: string[]
  traces: string[]
  diskFiles: string[]
}

/** Files the disk stressors create in caps.diskDir; nothing else there is touched. */
const STRESSOR_FILE = /^(edgemime-stressor-|\.edgemime-probe-)/

export async function recover(store: Store, diskDir: string, now = Date.now()): Promise<RecoveryReport> {
  const replays = (await store.values<ReplayRecord>(store.replays))
    .filter((r) => r.state === 'running' || r.state === 'scheduled')
  const traces = (await store.values<TraceMeta>(store.traces)).filter((t) => t.state === 'recording')
  const reason = 'the daemon stopped without shutting down (crash, SIGKILL or power loss)'
  const batch = store.db.batch()
  for (const r of replays) batch.put(r.id, { ...r, state: 'interrupted', endedAt: now, reason }, { sublevel: store.replays })
  for (const t of traces) batch.put(t.id, { ...t, state: 'interrupted', endedAt: now }, { sublevel: store.traces })
  await batch.write({ sync: true })
  return { replays: replays.map((r) => r.id), traces: traces.map((t) => t.id), diskFiles: removeStressorFiles(diskDir) }
}

function removeStressorFiles(diskDir: string): string[] {
  let names: string[]
  try { names = readdirSync(diskDir) } catch { return [] }
  const removed = names.filter((n) => STRESSOR_FILE.test(n))
  for (const n of removed) rmSync(join(diskDir, n), { force: true, recursive: true })
  return removed
}
