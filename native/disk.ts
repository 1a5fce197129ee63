/**
 * Files for the disk stressors: block reads and writes that bypass the page cache, so every
 * read reaches the device. With the addon, O_DIRECT with aligned buffers, or, where the file
 * system refuses O_DIRECT (tmpfs), buffered I/O followed by posix_fadvise(DONTNEED). Without
 * it, fs.*Sync through the page cache, reported as bypass 'none'. Calls block: they are meant
 * for stressor worker threads.
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { binding, type RawFile } from './binding.js'
import { openJsFile } from './js-file.js'

/** Alignment of buffers, offsets and lengths for every DiskFile call (O_DIRECT needs it). */
export const IO_ALIGN = 4096

/** How reads avoid the page cache: O_DIRECT, fadvise(DONTNEED) after each read, or not at all. */
export type CacheBypass = 'o_direct' | 'fadvise' | 'none'

export interface DiskFileOptions {
  /** File size in bytes, a positive multiple of IO_ALIGN; a longer existing file is truncated. */
  size: number
  /** Write real data up to size (default true) so reads hit the device, not sparse holes. */
  fill?: boolean
  /** Try O_DIRECT (default true); false uses buffered I/O with fadvise(DONTNEED) instead. */
  direct?: boolean
  /** Called after each filled block with bytes written so far and the total to write. */
  onFill?: (done: number, total: number) => void
}

const FILL_BLOCK = 1 << 20

/** A buffer whose memory starts on an IO_ALIGN boundary, as O_DIRECT requires. */
export function allocAligned(size: number): Uint8Array {
  checkBlock('size', size)
  return binding ? new Uint8Array(binding.alignedBuffer(size, IO_ALIGN)) : new Uint8Array(size)
}

function checkBlock(what: string, n: number, min = IO_ALIGN): void {
  if (!Number.isSafeInteger(n) || n < min || n % IO_ALIGN !== 0) {
    throw new InvalidInputError(`${what} must be a multiple of ${IO_ALIGN} bytes${min > 0 ? ' and positive' : ''}, got ${String(n)}`)
  }
}

/** Maps the addon's argument errors (e.g. an unaligned buffer) to InvalidInputError. */
function guard<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw new InvalidInputError(err.message)
    throw err
  }
}

/** A fixed-size file opened for block I/O that bypasses the page cache where it can. */
export class DiskFile {
  readonly #raw: RawFile
  readonly path: string
  readonly size: number
  readonly bypass: CacheBypass

  private constructor(raw: RawFile, path: string, size: number) {
    this.#raw = raw
    this.path = path
    this.size = size
    this.bypass = binding ? (raw.direct ? 'o_direct' : 'fadvise') : 'none'
  }

  /**
   * Opens (creating if needed) a file of the given size for direct block I/O.
   * @throws InvalidInputError for a bad size; the system error (code ENOENT, ENOSPC, ...) when
   *   the file cannot be opened or filled, with the file closed again.
   */
  static open(path: string, options: DiskFileOptions): DiskFile {
    const { size, fill = true, direct = true, onFill } = options ?? ({} as Partial<DiskFileOptions>)
    if (typeof path !== 'string' || path.length === 0) throw new InvalidInputError('path must be a non-empty string')
    checkBlock('size', size)
    const raw = binding ? guard(() => binding!.openFile(path, true, direct)) : openJsFile(path)
    try {
      const file = new DiskFile(raw, path, size)
      file.#prepare(fill, onFill)
      return file
    } catch (err) {
      raw.close()
      throw err
    }
  }

  #prepare(fill: boolean, onFill?: (done: number, total: number) => void): void {
    const have = this.#raw.size()
    if (have > this.size || !fill) {
      if (have !== this.size) this.#raw.truncate(this.size)
      return
    }
    // Whole blocks from the last aligned offset; a non-zero pattern so nothing reads as a hole.
    const start = have - (have % IO_ALIGN)
    const block = allocAligned(FILL_BLOCK).fill(0x5a)
    for (let pos = start; pos < this.size; pos += FILL_BLOCK) {
      const n = Math.min(FILL_BLOCK, this.size - pos)
      this.#raw.pwrite(n === FILL_BLOCK ? block : block.subarray(0, n), pos)
      onFill?.(pos + n - start, this.size - start)
    }
    if (start < this.size) this.#raw.fdatasync()
  }

  #checkIo(buf: Uint8Array, position: number): void {
    if (!(buf instanceof Uint8Array)) throw new InvalidInputError('buffer must be a Uint8Array (use allocAligned)')
    checkBlock('buffer length', buf.byteLength)
    checkBlock('position', position, 0)
    if (position + buf.byteLength > this.size) {
      throw new InvalidInputError(`block [${position}, ${position + buf.byteLength}) runs past the file size ${this.size}`)
    }
  }

  /** Reads buf.byteLength bytes at position into buf (from allocAligned); returns bytes read. */
  read(buf: Uint8Array, position: number): number {
    this.#checkIo(buf, position)
    return guard(() => this.#raw.pread(buf, position))
  }

  /** Writes buf at position; returns bytes written. Call sync() to make them durable. */
  write(buf: Uint8Array, position: number): number {
    this.#checkIo(buf, position)
    return guard(() => this.#raw.pwrite(buf, position))
  }

  /**
   * Makes written data durable: sync_file_range over [position, position+length) when given
   * (fdatasync without the addon), else fdatasync. In fadvise mode the range is then dropped
   * from the page cache.
   */
  sync(position?: number, length?: number): void {
    if (position === undefined) {
      this.#raw.fdatasync()
      return
    }
    if (length === undefined) throw new InvalidInputError('sync(position, length) needs a length with the position')
    checkBlock('position', position, 0)
    checkBlock('length', length)
    this.#raw.syncRange(position, length)
    if (this.bypass === 'fadvise') this.#raw.dropCache(position, length)
  }

  /** Drops the file's clean pages from the page cache (no-op without the addon). */
  dropCache(): void {
    this.#raw.dropCache(0, 0)
  }

  /** Closes the file; further calls throw. Safe to call twice. */
  close(): void {
    this.#raw.close()
  }
}

