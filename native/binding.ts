/**
 * Loads the optional N-API addon (build/Release/edgemime.node, built by native/build.mjs at
 * install) and declares its raw interface. Everything else in native/ goes through `binding`,
 * which is null when the addon is absent, failed to load, or is disabled with EDGEMIME_NO_ADDON=1.
 * @module
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

/** One perf_event counter set as the addon opens it. */
export interface RawPerf {
  /** Per counter: null when it opened, else the errno name and message of the refusal. */
  readonly errors: (string | null)[]
  read(): { values: (number | null)[], enabledNs: number[], runningNs: number[] }
  reset(): void
  close(): void
}

/** A file opened by the addon; the fd is closed by close() or, at the latest, by GC. */
export interface RawFile {
  readonly fd: number
  /** True when the kernel accepted O_DIRECT; false means page-cache pages are dropped by fadvise. */
  readonly direct: boolean
  pread(buf: Uint8Array, position: number): number
  pwrite(buf: Uint8Array, position: number): number
  /** sync_file_range(WAIT_BEFORE|WRITE|WAIT_AFTER) over [position, position+length). */
  syncRange(position: number, length: number): void
  fdatasync(): void
  /** posix_fadvise(DONTNEED) over [position, position+length); length 0 = to the end. */
  dropCache(position: number, length: number): void
  size(): number
  truncate(size: number): void
  close(): void
}

/** The addon's exports (native/src/addon.cc). Syscall failures throw Errors with `code` = errno name. */
export interface Binding {
  gettid(): number
  setAffinity(tid: number, cpu: number): void
  getAffinity(tid: number): number[]
  setNice(tid: number, nice: number): void
  setIdlePolicy(tid: number): void
  /** Zeroed, page-aligned memory (mmap), unmapped when the ArrayBuffer is collected. */
  alignedBuffer(size: number, alignment: number): ArrayBuffer
  openFile(path: string, write: boolean, direct: boolean): RawFile
  /** Opens perf events (perf_event_attr type and configs) for pid (0 = this process) on cpu (-1 = any). */
  perfOpen(pid: number, cpu: number, type: number, configs: number[]): RawPerf
}

function candidates(): URL[] {
  // Sources run from native/ (tsx) and compiled code from dist/native/; build/ sits at the root.
  return [new URL('../build/Release/edgemime.node', import.meta.url), new URL('../../build/Release/edgemime.node', import.meta.url)]
}

function load(): { binding: Binding | null, reason: string } {
  if (process.env.EDGEMIME_NO_ADDON === '1') return { binding: null, reason: 'disabled by EDGEMIME_NO_ADDON=1' }
  const file = candidates().find((u) => existsSync(u))
  if (!file) return { binding: null, reason: 'addon not built (build/Release/edgemime.node missing)' }
  try {
    return { binding: createRequire(import.meta.url)(file.pathname) as Binding, reason: `loaded ${file.pathname}` }
  } catch (err) {
    return { binding: null, reason: `addon failed to load: ${(err as Error).message.split('\n')[0]}` }
  }
}

const loaded = load()
/** The addon, or null when the pure-JS fallbacks are in use. */
export const binding: Binding | null = loaded.binding
/** Why the addon is (not) in use, for nativeFeatures(). */
export const bindingReason: string = loaded.reason
