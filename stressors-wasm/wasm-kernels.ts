/**
 * Loads the AssemblyScript kernels (build/kernels.wasm) into a memory sized for one worker.
 * @module
 */
import { readFileSync } from 'node:fs'
import { EdgemimeError } from '../common/errors.js'

/** The raw exports of kernels.entry.ts. */
export interface KernelExports {
  memory: WebAssembly.Memory
  sink: WebAssembly.Global
  heapBase(): number
  crcInit(): void
  crcRun(buf: number, len: number, off: number, units: number): number
  fpInit(buf: number, n: number, seed: number): void
  fpRun(buf: number, n: number, cur: number, units: number): number
  copyRun(buf: number, half: number, piece: number, off: number, units: number): number
  cmpRun(buf: number, half: number, piece: number, off: number, units: number): number
  fillRun(buf: number, len: number, piece: number, off: number, units: number): number
  chaseInit(buf: number, n: number, seed: number): void
  chaseRun(buf: number, cur: number, hops: number): number
  hashRun(set: number, cap: number, entries: number, count: number): void
}

export interface KernelInstance {
  exports: KernelExports
  /** First byte of the stressor buffers (64 KiB aligned, after the kernels' static data). */
  heap: number
}

const PAGE = 64 * 1024
/** 32-bit WebAssembly memory limit. */
const MAX_BYTES = 4 * 1024 ** 3 - PAGE

let compiled: WebAssembly.Module | undefined

/** Path of kernels.wasm; compiled code runs from dist/stressors-wasm, sources from stressors-wasm. */
export function kernelsWasmUrl(): URL {
  return new URL(import.meta.url.includes('/dist/') ? '../../stressors-wasm/build/kernels.wasm' : './build/kernels.wasm', import.meta.url)
}

/** Instantiates the kernels with room for `heapBytes` of stressor buffers after their static data. */
export function instantiateKernels(heapBytes: number): KernelInstance {
  if (!compiled) {
    let bytes: Uint8Array<ArrayBuffer>
    try { bytes = readFileSync(kernelsWasmUrl()) } catch (e) {
      throw new EdgemimeError(`stressor kernels not built (${(e as Error).message}); run \`npm run build:wasm\``)
    }
    compiled = new WebAssembly.Module(bytes)
  }
  const instance = new WebAssembly.Instance(compiled, { env: { abort: () => { throw new EdgemimeError('stressor kernel aborted') } } })
  const exports = instance.exports as unknown as KernelExports
  const base = exports.heapBase()
  const need = base + heapBytes
  if (need > MAX_BYTES) throw new EdgemimeError(`stressor buffers of one thread need ${need} bytes; WebAssembly memory holds at most ${MAX_BYTES}`)
  const have = exports.memory.buffer.byteLength
  if (need > have) {
    try { exports.memory.grow(Math.ceil((need - have) / PAGE)) } catch { /* checked below */ }
    // The engine's own limit may be lower than 4 GiB (V8 in Node 20: 2 GiB), and grow can fail quietly.
    if (exports.memory.buffer.byteLength < need) {
      throw new EdgemimeError(`cannot give one stressor thread ${need} bytes of WebAssembly memory (engine limit); use smaller buffers or more threads`)
    }
  }
  exports.crcInit()
  return { exports, heap: base }
}
