/**
 * The SIMD WebAssembly backend (ml/assembly/kernels.entry.ts). Its memory is grown once, at
 * creation, to a fixed arena: growing later would detach every Float32Array view handed out,
 * while untouched pages cost nothing (the OS commits them on first write). Buffers from
 * `alloc` live in the arena and are used in place; any other Float32Array is copied in and out
 * of a temporary region per call, so every input works and arena buffers are just faster.
 * @module
 */
import { readFileSync } from 'node:fs'
import { InvalidInputError } from '../common/errors.js'
import { jsKernels } from './kernels-js.js'
import { checkLength } from './check.js'
import { checkEq9, checkEq9Backward, checkEq9Forward, eq9RecordSize, type Eq9Dims, type Eq9Rows, type Eq9Tables } from './eq9.js'
import type { ActivationKind } from './activations.js'
import type { AdamStep, GemmOptions, Kernels } from './kernels.js'

interface Exports {
  memory: WebAssembly.Memory
  gemm(a: number, rsA: number, csA: number, b: number, c: number, m: number, n: number, k: number, acc: number): void
  transpose(src: number, dst: number, rows: number, cols: number): void
  addBias(y: number, bias: number, rows: number, cols: number): void
  sumRows(x: number, rows: number, cols: number, out: number): void
  adamStep(p: number, g: number, m: number, v: number, len: number, kind: number, lr: number, b1: number, b2: number,
    eps: number, bc1: number, bc2: number, l2: number, decay: number): void
  actForward(kind: number, slope: number, x: number, y: number, n: number): void
  actBackward(kind: number, slope: number, x: number, y: number, dy: number, dx: number, n: number): void
  eq9Forward(work: number, plat: number, bx: number, by: number, wl: number, pl: number, co: number, n: number,
    H: number, R: number, S: number, A: number, slope: number, h0: number, h1: number, out: number, z: number): void
  eq9Backward(work: number, plat: number, wl: number, pl: number, co: number, n: number, H: number, R: number, S: number,
    A: number, slope: number, dy: number, z: number, gw: number, gp: number, gbx: number, gby: number, scratch: number): void
}

export interface WasmKernelOptions {
  /** Arena size in MiB (default 512; env EDGEMIME_ML_ARENA_MIB). */
  arenaMiB?: number
}

const ALIGN = 64 // cache-line aligned buffers
/** Activation codes of ml/assembly/activations.ts. */
const ACT: Record<ActivationKind, number> = { identity: 0, relu: 1, leakyRelu: 2, gelu: 3, silu: 4, tanh: 5 }

function wasmUrl(): URL {
  // From dist/ml/*.js the build output stays in the source tree's ml/build/.
  return new URL(import.meta.url.includes('/dist/') ? '../../ml/build/kernels.wasm' : './build/kernels.wasm', import.meta.url)
}

/** Instantiates the WASM kernels; throws if ml/build/kernels.wasm is missing (run `npm run build:wasm`). */
export function createWasmKernels({ arenaMiB = Number(process.env.EDGEMIME_ML_ARENA_MIB ?? 512) }: WasmKernelOptions = {}): Kernels {
  if (!(arenaMiB >= 1 && arenaMiB <= 4000)) throw new InvalidInputError(`ml arena: size must be 1..4000 MiB, got ${arenaMiB}`)
  const module = new WebAssembly.Module(readFileSync(wasmUrl()))
  const x = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error('ml kernel abort') } } }).exports as unknown as Exports
  const base = x.memory.buffer.byteLength
  x.memory.grow(Math.ceil((arenaMiB * 1048576) / 65536))
  const buf = x.memory.buffer
  const end = buf.byteLength
  let top = base // persistent allocations grow up from here; temporaries sit above top
  let temp = top
  let warned = false

  function bump(at: number, n: number): number { return Math.ceil(at / ALIGN) * ALIGN + Math.max(1, n) * 4 }

  function alloc(n: number): Float32Array {
    const next = bump(top, n)
    if (next > end) {
      if (!warned) process.emitWarning(`ml arena (${arenaMiB} MiB) is full; new buffers fall back to slower copies`, { code: 'EM_ML_ARENA_FULL' })
      warned = true
      return new Float32Array(n)
    }
    const at = next - Math.max(1, n) * 4
    top = next
    // Temporaries may have used this space: hand it out zeroed, like new Float32Array.
    return new Float32Array(buf, at, n).fill(0)
  }

  /** Offset of `arr` in the arena, copying it into the temporary region if it lives elsewhere. */
  function place(arr: Float32Array | Int32Array, n: number, copyIn: boolean): number {
    if (arr.buffer === buf) return arr.byteOffset
    const next = bump(Math.max(temp, top), n)
    if (next > end) throw new InvalidInputError(`ml arena (${arenaMiB} MiB) too small for a ${n}-float temporary`)
    const at = next - Math.max(1, n) * 4
    temp = next
    // Bitwise: the same copy serves float and int32 arrays.
    if (copyIn) new Int32Array(buf, at, n).set(new Int32Array(arr.buffer, arr.byteOffset, n))
    return at
  }
  function copyBack(arr: Float32Array, at: number, n: number): void {
    if (arr.buffer !== buf) arr.set(new Float32Array(buf, at, n))
  }

  function gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number,
    { transA = false, transB = false, accumulate = false }: GemmOptions = {}): void {
    checkLength('gemm A', a, m * k); checkLength('gemm B', b, k * n); checkLength('gemm C', c, m * n)
    temp = top
    const pa = place(a, m * k, true)
    let pb = place(b, k * n, true)
    const pc = place(c, m * n, accumulate)
    if (transB) {
      const pt = place(new Float32Array(0), k * n, false)
      x.transpose(pb, pt, n, k)
      pb = pt
    }
    x.gemm(pa, transA ? 1 : k, transA ? m : 1, pb, pc, m, n, k, accumulate ? 1 : 0)
    copyBack(c, pc, m * n)
  }

  function addBias(y: Float32Array, bias: Float32Array, rows: number, cols: number): void {
    checkLength('addBias y', y, rows * cols); checkLength('addBias bias', bias, cols)
    temp = top
    const py = place(y, rows * cols, true)
    x.addBias(py, place(bias, cols, true), rows, cols)
    copyBack(y, py, rows * cols)
  }

  function sumRows(v: Float32Array, rows: number, cols: number, out: Float32Array): void {
    checkLength('sumRows x', v, rows * cols); checkLength('sumRows out', out, cols)
    temp = top
    const po = place(out, cols, true)
    x.sumRows(place(v, rows * cols, true), rows, cols, po)
    copyBack(out, po, cols)
  }

  function adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamStep): void {
    const n = p.length
    if ([g, m, v].some((t) => t.buffer !== buf) || p.buffer !== buf) return jsKernels.adamStep(p, g, m, v, s)
    checkLength('adamStep grad', g, n); checkLength('adamStep m', m, n); checkLength('adamStep v', v, n)
    x.adamStep(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, n, s.kind === 'adam' ? 0 : 1,
      s.lr, s.beta1, s.beta2, s.eps, s.bc1, s.bc2, s.l2, s.decay)
  }

  function activate(kind: ActivationKind, slope: number, v: Float32Array, y: Float32Array, n: number): void {
    checkLength('activation x', v, n); checkLength('activation y', y, n)
    temp = top
    const py = place(y, n, false)
    x.actForward(ACT[kind], slope, place(v, n, true), py, n)
    copyBack(y, py, n)
  }

  function activateBackward(kind: ActivationKind, slope: number, v: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void {
    checkLength('activation x', v, n); checkLength('activation y', y, n)
    checkLength('activation dy', dy, n); checkLength('activation dx', dx, n)
    temp = top
    const pdx = place(dx, n, false)
    x.actBackward(ACT[kind], slope, place(v, n, true), place(y, n, true), place(dy, n, true), pdx, n)
    copyBack(dx, pdx, n)
  }

  function placeRows(rows: Eq9Rows, n: number): [number, number, number] {
    return [place(rows.workload, n, true), place(rows.platform, n, true), place(rows.corunners, n * rows.arity, true)]
  }

  function eq9Forward(e: Eq9Tables, d: Eq9Dims, rows: Eq9Rows, out: Float32Array | Float64Array, z?: Float32Array, h0 = 0, h1 = d.heads): void {
    const n = checkEq9(e, d, rows)
    checkEq9Forward(d, n, out, z, h0, h1)
    temp = top
    const len = n * (h1 - h0), zn = eq9RecordSize(d, n)
    const [wl, pl, co] = placeRows(rows, n)
    const po = out instanceof Float32Array ? place(out, len, false) : place(new Float32Array(0), len, false)
    const pz = z && zn > 0 ? place(z, zn, false) : 0
    x.eq9Forward(place(e.work, e.work.length, true), place(e.plat, e.plat.length, true), place(e.bx, e.bx.length, true),
      place(e.by, e.by.length, true), wl, pl, co, n, d.heads, d.rank, d.types, rows.arity, d.slope, h0, h1, po, pz)
    if (out instanceof Float32Array) copyBack(out, po, len)
    else out.set(new Float32Array(buf, po, len))
    if (pz) copyBack(z!, pz, zn)
  }

  function eq9Backward(e: Eq9Tables, d: Eq9Dims, rows: Eq9Rows, dy: Float32Array, z: Float32Array, g: Eq9Tables): void {
    const n = checkEq9(e, d, rows)
    checkEq9Backward(e, d, n, dy, z, g)
    temp = top
    const [wl, pl, co] = placeRows(rows, n)
    const grads = [g.work, g.plat, g.bx, g.by].map((a) => place(a, a.length, true))
    x.eq9Backward(place(e.work, e.work.length, true), place(e.plat, e.plat.length, true), wl, pl, co, n, d.heads, d.rank,
      d.types, rows.arity, d.slope, place(dy, n * d.heads, true), place(z, eq9RecordSize(d, n), true),
      grads[0], grads[1], grads[2], grads[3], place(new Float32Array(0), 2 * d.types, false))
    ;[g.work, g.plat, g.bx, g.by].forEach((a, k) => copyBack(a, grads[k], a.length))
  }

  return { name: 'wasm', alloc, gemm, addBias, sumRows, adamStep, activate, activateBackward, eq9Forward, eq9Backward }
}
