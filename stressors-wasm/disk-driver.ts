/**
 * Disk stressors: sequential block reads that bypass the page cache, or block writes each made
 * durable (sync_file_range / fdatasync), optionally paced with a pause after every block. Uses
 * the native layer's DiskFile (O_DIRECT, fadvise or the pure-JS fallback).
 * @module
 */
import { allocAligned, type DiskFile } from '../native/index.js'
import { monoMs } from './clock.js'
import { sleepUntil } from './pacing.js'
import { CTRL_ABORT } from './protocol.js'
import type { WorkerStressor } from './protocol.js'

export class DiskDriver {
  readonly #file: DiskFile
  readonly #write: boolean
  readonly #block: number
  readonly #pauseMs: number
  /** Cycled span: the stressor's fileBytes, rounded down to whole blocks. */
  readonly #span: number
  readonly #buf: Uint8Array
  #pos = 0
  #msPerBlock = 1

  constructor(file: DiskFile, s: WorkerStressor) {
    this.#file = file
    this.#write = s.kernel === 'disk-write'
    this.#block = s.params.blockBytes!
    this.#pauseMs = s.params.pauseMs!
    this.#span = Math.floor(Math.min(s.params.fileBytes!, file.size) / this.#block) * this.#block
    this.#buf = allocAligned(this.#block).fill(0xa5)
  }

  #io(): void {
    if (this.#write) {
      this.#file.write(this.#buf, this.#pos)
      this.#file.sync(this.#pos, this.#block)
    } else {
      this.#file.read(this.#buf, this.#pos)
    }
    this.#pos += this.#block
    if (this.#pos >= this.#span) this.#pos = 0
  }

  /** Does block I/O until `deadline`; stops early when less than half a block's time is left. */
  runUntil(deadline: number, ctrl: Int32Array): { ops: number, bytes: number, aborted: boolean } {
    let ops = 0
    let now = monoMs()
    while (deadline - now >= this.#msPerBlock / 2) {
      this.#io()
      const t = monoMs()
      this.#msPerBlock += 0.3 * (t - now - this.#msPerBlock)
      ops++
      now = t
      if (this.#pauseMs > 0) {
        if (!sleepUntil(ctrl, Math.min(now + this.#pauseMs, deadline))) return { ops, bytes: ops * this.#block, aborted: true }
        now = monoMs()
      }
      if (Atomics.load(ctrl, CTRL_ABORT) !== 0) return { ops, bytes: ops * this.#block, aborted: true }
    }
    return { ops, bytes: ops * this.#block, aborted: false }
  }
}
