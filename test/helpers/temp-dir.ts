/**
 * Temp directories that go away with their test: tests must not leave files in /tmp.
 * The removal is a teardown, and tap runs teardowns in reverse order of registration, so
 * create the directory before registering whatever must be closed over it (a daemon, a store):
 * that is closed first, and the directory removed after.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Teardown { teardown(fn: () => unknown): void }

/** A fresh directory under os.tmpdir() named `prefix` + random, removed when `t` ends. */
export function tempDir(t: Teardown, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
