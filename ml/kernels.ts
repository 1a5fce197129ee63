/**
 * The compute backend behind every layer: dense matrix products, bias and optimizer kernels,
 * and the allocator for the buffers they work on. Two implementations share this interface:
 * plain JavaScript (the reference) and SIMD WebAssembly (the fast path, ./kernels-wasm.ts).
 * Layers look the backend up at call time, so switching with `useBackend` affects all layers.
 * @module
 */
import type { ActivationKind } from './activations.js'
import type { Eq9Dims, Eq9Rows, Eq9Tables } from './eq9.js'
import { jsKernels } from './kernels-js.js'
import { createWasmKernels } from './kernels-wasm.js'

/** Options of {@link Kernels.gemm}. */
export interface GemmOptions {
  /** A is stored k×m and used transposed. */
  transA?: boolean
  /** B is stored n×k and used transposed. */
  transB?: boolean
  /** Add into C instead of overwriting it. */
  accumulate?: boolean
}

/** Adam-family update of one parameter tensor, applied in place (see ./optim.ts). */
export interface AdamStep {
  kind: 'adam' | 'adamax'
  lr: number
  beta1: number
  beta2: number
  eps: number
  /** Bias corrections 1 - beta^t (Adamax uses only the first). */
  bc1: number
  bc2: number
  /** Coupled L2 (added to the gradient) and decoupled decay (scaled by lr). */
  l2: number
  decay: number
}

export interface Kernels {
  readonly name: 'js' | 'wasm'
  /** A zeroed buffer of n floats placed where this backend computes fastest. */
  alloc(n: number): Float32Array
  /** C[m×n] (+)= op(A)[m×k] · op(B)[k×n], all row-major. */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, opts?: GemmOptions): void
  /** y[r, j] += bias[j] for every row r of a rows×cols matrix. */
  addBias(y: Float32Array, bias: Float32Array, rows: number, cols: number): void
  /** out[j] += Σ_r x[r, j] (column sums; the bias gradient). */
  sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array): void
  /** One Adam/Adamax step on (param, grad, m, v) of equal length. */
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamStep): void
  /** y[i] = f(x[i]) for i < n (slope: leakyRelu only). */
  activate(kind: ActivationKind, slope: number, x: Float32Array, y: Float32Array, n: number): void
  /** dx[i] = dy[i]·f'(x[i]) for i < n, given forward input x and output y. */
  activateBackward(kind: ActivationKind, slope: number, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, n: number): void
  /**
   * Pitot's Eq. 9 (./eq9.ts) for every row and heads h0 ≤ h < h1 (default all) into
   * out[r·(h1−h0) + h−h0]. `z` (all heads only, [rows × heads × types × 2]) receives per type
   * the magnitude and the susceptibility for {@link Kernels.eq9Backward}.
   */
  eq9Forward(e: Eq9Tables, d: Eq9Dims, rows: Eq9Rows, out: Float32Array | Float64Array, z?: Float32Array, h0?: number, h1?: number): void
  /** Accumulates into `g` the gradient of Σ dy·ŷ (dy [rows × heads]) given the forward's `z`. */
  eq9Backward(e: Eq9Tables, d: Eq9Dims, rows: Eq9Rows, dy: Float32Array, z: Float32Array, g: Eq9Tables): void
}

let current: Kernels | undefined
let wasm: Kernels | undefined

/**
 * The backend layers use now. The first call picks WASM (unless EDGEMIME_ML_BACKEND=js or the
 * module is not built, which warns with code EM_ML_NO_WASM) so customers get the fast path by default.
 */
export function kernels(): Kernels {
  if (current) return current
  if (process.env.EDGEMIME_ML_BACKEND === 'js') return (current = jsKernels)
  try {
    current = useBackend('wasm')
  } catch (e) {
    process.emitWarning(`ml: WASM kernels unavailable (${(e as Error).message}); using the JS reference`, { code: 'EM_ML_NO_WASM' })
    current = jsKernels
  }
  return current
}

/** Switches every layer to another backend; buffers already allocated stay valid on both. */
export function setKernels(k: Kernels): void { current = k }

/** Switches to a named backend (the WASM one is created once, on first use) and returns it. */
export function useBackend(name: Kernels['name']): Kernels {
  current = name === 'js' ? jsKernels : (wasm ??= createWasmKernels())
  return current
}
