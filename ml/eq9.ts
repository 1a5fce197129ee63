/**
 * Pitot's interference term (Eq. 9 of Huang et al., MLSys 2025) evaluated per row on embedding
 * tables computed for all entities:
 *   ŷ_h = by[i] + bx[j] + <w_i^h, p_j> + Σ_t <w_i^h, Vs_j,t> · α( Σ_{k∈K} <w_k^h, Vg_j,t> )
 * with α = leaky ReLU. It is the engine's one model-specific kernel: it lives here because the
 * fast version must share the WASM arena with the towers that produce the tables. This module
 * holds its shapes and the argument checks both backends run (the WASM kernel trusts them).
 * @module
 */
import { InvalidInputError } from '../common/errors.js'
import { checkLength } from './check.js'

/** Shapes of the embedding tables. */
export interface Eq9Dims {
  heads: number
  rank: number
  /** Interference types s; 0 disables the interference term. */
  types: number
  /** Leaky ReLU slope of α. */
  slope: number
}

/** Embedding tables (values or gradients, same layout). */
export interface Eq9Tables {
  /** [workloads × heads·rank] */
  work: Float32Array
  /** [platforms × (rank + 2·types·rank)]: p_j, then Vs_j,t, then Vg_j,t. */
  plat: Float32Array
  /** Baseline per platform / workload. */
  bx: Float32Array
  by: Float32Array
}

/** Rows to evaluate, entity indices already gathered: row r has workload[r] on platform[r]. */
export interface Eq9Rows {
  /** Co-runners per row (0 = isolated). */
  arity: number
  workload: Int32Array
  platform: Int32Array
  /** [rows × arity] workload indices of the co-runners. */
  corunners: Int32Array
}

export function eq9PlatformWidth(d: Eq9Dims): number { return d.rank * (1 + 2 * d.types) }

/** Floats of the per-row record `z` that the forward pass leaves for the backward pass. */
export function eq9RecordSize(d: Eq9Dims, rows: number): number { return rows * d.heads * d.types * 2 }

/** Validates dims, table sizes and every index of `rows` (the WASM kernel does not); returns the row count. */
export function checkEq9(t: Eq9Tables, d: Eq9Dims, rows: Eq9Rows): number {
  const { heads, rank, types } = d
  for (const [k, v] of [['heads', heads], ['rank', rank], ['types', types], ['arity', rows.arity]] as const) {
    if (!Number.isInteger(v) || v < (k === 'types' || k === 'arity' ? 0 : 1)) throw new InvalidInputError(`eq9: bad ${k} ${v}`)
  }
  const workloads = t.by.length, platforms = t.bx.length, n = rows.workload.length
  checkLength('eq9 work table', t.work, workloads * heads * rank)
  checkLength('eq9 platform table', t.plat, platforms * eq9PlatformWidth(d))
  checkLength('eq9 platform indices', rows.platform, n)
  checkLength('eq9 co-runner indices', rows.corunners, n * rows.arity)
  const inRange = (a: Int32Array, len: number, bound: number, what: string) => {
    for (let r = 0; r < len; r++) if (!(a[r] >= 0 && a[r] < bound)) throw new InvalidInputError(`eq9: ${what} index ${a[r]} out of range 0..${bound - 1}`)
  }
  inRange(rows.workload, n, workloads, 'workload')
  inRange(rows.platform, n, platforms, 'platform')
  inRange(rows.corunners, n * rows.arity, workloads, 'co-runner')
  return n
}

/** Checks the head range of a forward pass and its output/record buffers. */
export function checkEq9Forward(d: Eq9Dims, n: number, out: ArrayLike<number>, z: Float32Array | undefined, h0: number, h1: number): void {
  if (!(Number.isInteger(h0) && Number.isInteger(h1) && h0 >= 0 && h0 < h1 && h1 <= d.heads)) {
    throw new InvalidInputError(`eq9: head range [${h0}, ${h1}) outside 0..${d.heads}`)
  }
  checkLength('eq9 output', out, n * (h1 - h0))
  if (z) {
    if (h0 !== 0 || h1 !== d.heads) throw new InvalidInputError('eq9: the backward record needs every head')
    checkLength('eq9 record z', z, eq9RecordSize(d, n))
  }
}

/** Checks the buffers of a backward pass. */
export function checkEq9Backward(t: Eq9Tables, d: Eq9Dims, n: number, dy: Float32Array, z: Float32Array, g: Eq9Tables): void {
  checkLength('eq9 dy', dy, n * d.heads)
  checkLength('eq9 record z', z, eq9RecordSize(d, n))
  checkLength('eq9 work gradient', g.work, t.work.length)
  checkLength('eq9 platform gradient', g.plat, t.plat.length)
  checkLength('eq9 bx gradient', g.bx, t.bx.length)
  checkLength('eq9 by gradient', g.by, t.by.length)
}
