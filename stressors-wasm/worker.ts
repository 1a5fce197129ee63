/**
 * A stressor worker thread: holds one WebAssembly kernel instance sized for the stressors its
 * thread runs, and plays its column of a composition window by window against the executor's
 * anchor. Everything runs synchronously; the executor reaches it through the shared abort word.
 * @module
 */
import { parentPort } from 'node:worker_threads'
import { DiskFile, setCurrentThreadPriority, nativeFeatures, pinCurrentThread } from '../native/index.js'
import { availableParallelism } from 'node:os'
import { monoMs } from './clock.js'
import { DiskDriver } from './disk-driver.js'
import { makeDriver, prefault } from './drivers.js'
import { calibrate, runUntil, sleepUntil, type MeteredDriver } from './pacing.js'
import type { FromWorker, ThreadEntry, ToWorker } from './protocol.js'
import { planWindow } from './schedule.js'
import { instantiateKernels } from './wasm-kernels.js'

/** Target length of one kernel chunk between clock reads (see README: timing vs chunk size). */
const CHUNK_MS = Number(process.env.EDGEMIME_CHUNK_US ?? 30) / 1000
const CALIBRATE_MS = 15

const port = parentPort!
let ctrl = new Int32Array(new SharedArrayBuffer(8))
let plan: { fractions: number[][], windowMs: number } | undefined
let compute = new Map<number, MeteredDriver>()
let disk = new Map<number, DiskDriver>()
let file: DiskFile | undefined

const post = (m: FromWorker) => port.postMessage(m)

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case 'init': {
      ctrl = new Int32Array(msg.ctrl)
      const pinned = msg.pin && pinCurrentThread(msg.thread % availableParallelism())
      const lowPriority = msg.lowPriority && setCurrentThreadPriority()
      // Threads inherit their creator's nice value: a daemon that raised its API thread must not
      // hand that raise to the stressors, which compete at the normal level.
      if (!msg.lowPriority) setCurrentThreadPriority(0, 'nice')
      const f = nativeFeatures()
      return post({ type: 'ready', pinned, lowPriority, native: f.addon ? 'addon' : `js-fallback (${f.addonReason})` })
    }
    case 'prepare': {
      release()
      const kernels = instantiateKernels(msg.memoryBytes)
      if (msg.diskFile) file = DiskFile.open(msg.diskFile.path, { size: msg.diskFile.bytes })
      for (const s of msg.stressors) {
        if (s.kernel === 'idle') continue
        if (s.kernel === 'disk-read' || s.kernel === 'disk-write') { disk.set(s.index, new DiskDriver(file!, s)); continue }
        // Points and chains are written by their drivers; everything else is touched here (a
        // hash set must start empty, content-free buffers just need their pages).
        if (s.kernel !== 'fp-distance' && s.kernel !== 'chase') prefault(kernels, s.offset!, s.bytes, s.kernel === 'hashset' ? 0 : 1)
        compute.set(s.index, calibrate(makeDriver(kernels, s), CALIBRATE_MS))
      }
      plan = { fractions: msg.fractions, windowMs: msg.windowMs }
      return post({ type: 'prepared' })
    }
    case 'run':
      return post({ type: 'done', aborted: !play(msg.anchorMs, msg.first, msg.count) })
    case 'release':
      release()
      return post({ type: 'prepared' })
  }
}

function release(): void {
  compute = new Map()
  disk = new Map()
  file?.close()
  file = undefined
  plan = undefined
}

/** Plays windows [first, first + count); false when aborted. */
function play(anchor: number, first: number, count: number): boolean {
  const { fractions, windowMs: W } = plan!
  for (let i = 0; i < count; i++) {
    const index = first + i
    const start = anchor + i * W
    if (!sleepUntil(ctrl, start)) return false
    const actualStartMs = monoMs()
    const entries: ThreadEntry[] = []
    for (const s of planWindow(fractions[index % fractions.length]!, W)) {
      if (!sleepUntil(ctrl, start + s.startMs)) return false
      const t0 = monoMs()
      const deadline = start + s.endMs
      let ops = 0
      let bytes = 0
      let aborted = false
      const c = compute.get(s.stressor)
      const d = disk.get(s.stressor)
      if (c) {
        const r = runUntil(c, deadline, ctrl, CHUNK_MS)
        ops = r.units * c.opsPerUnit
        bytes = r.units * c.bytesPerUnit
        aborted = r.aborted
      } else if (d) {
        ;({ ops, bytes, aborted } = d.runUntil(deadline, ctrl))
      } else {
        aborted = !sleepUntil(ctrl, deadline)
      }
      if (aborted) return false
      entries.push({ stressor: s.stressor, startMs: t0 - start, plannedMs: s.endMs - s.startMs, executedMs: monoMs() - t0, ops, bytes })
    }
    post({ type: 'window', index, actualStartMs, entries })
  }
  return true
}

port.on('message', (msg: ToWorker) => {
  try {
    handle(msg)
  } catch (e) {
    post({ type: 'error', message: (e as Error).message, code: (e as { code?: string }).code })
  }
})
