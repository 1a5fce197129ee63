/**
 * The pure-JS stand-in for the addon's file handle: fs.*Sync calls through the page cache.
 * It cannot bypass the cache (Node exposes neither O_DIRECT with aligned buffers nor fadvise),
 * which DiskFile reports as bypass 'none'.
 * @module
 */
import { closeSync, constants, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import type { RawFile } from './binding.js'

// Dropped handles still close their fd, as the addon's handles do in their finalizer.
const orphans = new FinalizationRegistry<number>((fd) => { try { closeSync(fd) } catch { /* already closed */ } })

/** Opens (creating if needed, never truncating) path read-write through the page cache. */
export function openJsFile(path: string): RawFile {
  let fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600)
  const handle: RawFile = {
    get fd() { return fd },
    direct: false,
    pread: (buf, position) => readSync(live(), buf, 0, buf.byteLength, position),
    pwrite: (buf, position) => writeSync(live(), buf, 0, buf.byteLength, position),
    syncRange: () => fdatasyncSync(live()),
    fdatasync: () => fdatasyncSync(live()),
    dropCache: () => { live() },
    size: () => fstatSync(live()).size,
    truncate: (size) => ftruncateSync(live(), size),
    close: () => {
      if (fd < 0) return
      orphans.unregister(handle)
      closeSync(fd)
      fd = -1
    },
  }
  function live(): number {
    if (fd < 0) throw Object.assign(new Error('file is closed'), { code: 'EBADF' })
    return fd
  }
  orphans.register(handle, fd, handle)
  return handle
}
