/**
 * Opcode-count instrumentation with binaryen. The module is cut into counting regions
 * (each function body, loop body and if arm); every region gets one i64 counter global,
 * incremented on entry, and a static histogram of the opcodes it holds outside nested regions.
 * Dynamic count of opcode o = Σ_region counter × histogram[o]. This is exact for straight-line
 * regions and over-counts only code skipped by an early branch out of a region, which keeps
 * the instrumented copy within a few percent of the original's speed.
 * @module
 */
import binaryen from 'binaryen'
import { InvalidInputError } from '../common/errors.js'
import { loadOpcode, operatorOpcode, storeOpcode } from './opcodes.js'
import { COUNTER_PREFIX } from './types.js'

/** binaryen.js setters that its index.d.ts does not declare. */
const setters = binaryen as unknown as {
  Function: { setBody(fn: binaryen.FunctionRef, body: binaryen.ExpressionRef): void }
  Loop: { setBody(loop: binaryen.ExpressionRef, body: binaryen.ExpressionRef): void }
  If: { setIfTrue(e: binaryen.ExpressionRef, b: binaryen.ExpressionRef): void; setIfFalse(e: binaryen.ExpressionRef, b: binaryen.ExpressionRef): void }
}

export interface Instrumented {
  /** The instrumented module; counters are exported as `${COUNTER_PREFIX}<region>`. */
  wasm: Uint8Array
  /** Per region: [opcode, static count] pairs. */
  histograms: Array<Array<[number, number]>>
}

/**
 * Features clang/wasi-libc output uses that V8 runs; Features.All would let binaryen emit
 * encodings V8 rejects (e.g. custom descriptors).
 */
const F = binaryen.Features
const FEATURES = F.MVP | F.MutableGlobals | F.SignExt | F.BulkMemory | F.NontrappingFPToInt | F.SIMD128 |
  F.ReferenceTypes | F.Multivalue | F.ExtendedConst | F.TailCall

type Hist = Map<number, number>
const bump = (h: Hist, op: number, n = 1): void => { h.set(op, (h.get(op) ?? 0) + n) }

/**
 * Instruments a WASI preview1 core module.
 * @throws InvalidInputError when binaryen cannot read the module or the result does not validate.
 */
export function instrument(wasm: Uint8Array): Instrumented {
  let mod: binaryen.Module
  try { mod = binaryen.readBinary(wasm) } catch (e) {
    throw new InvalidInputError(`binaryen cannot read the module: ${(e as Error).message}`)
  }
  try {
    mod.setFeatures(FEATURES)
    const hists: Hist[] = []
    const region = (body: binaryen.ExpressionRef, first?: number): binaryen.ExpressionRef => {
      const id = hists.length
      const h: Hist = new Map()
      if (first !== undefined) bump(h, first)
      hists.push(h)
      walk(mod, body, h, region)
      const name = `${COUNTER_PREFIX}${id}`
      mod.addGlobal(name, binaryen.i64, true, i64(mod, 0n))
      mod.addGlobalExport(name, name)
      const inc = mod.global.set(name, mod.i64.add(mod.global.get(name, binaryen.i64), i64(mod, 1n)))
      return mod.block(null, [inc, body], binaryen.getExpressionType(body))
    }
    for (let i = 0, n = mod.getNumFunctions(); i < n; i++) {
      const fn = mod.getFunctionByIndex(i)
      const info = binaryen.getFunctionInfo(fn)
      if (info.module || !info.body) continue // imported
      setters.Function.setBody(fn, region(info.body))
    }
    if (!mod.validate()) throw new InvalidInputError('instrumented module does not validate')
    return { wasm: mod.emitBinary(), histograms: hists.map((h) => [...h.entries()]) }
  } finally {
    mod.dispose()
  }
}

/** binaryen.js 132 takes one bigint for i64.const; its index.d.ts still declares (low, high). */
const i64 = (mod: binaryen.Module, v: bigint): binaryen.ExpressionRef =>
  (mod.i64.const as unknown as (v: bigint) => binaryen.ExpressionRef)(v)

type Region = (body: binaryen.ExpressionRef, first?: number) => binaryen.ExpressionRef
/** Child-expression fields of binaryen's expression infos (scalars and arrays). */
const CHILD_KEYS = ['condition', 'value', 'ptr', 'left', 'right', 'target', 'dest', 'source', 'size', 'delta',
  'expected', 'replacement', 'vec', 'shift', 'tuple', 'ref', 'a', 'b', 'c', 'index', 'init', 'ifTrue', 'ifFalse', 'body'] as const

const LEAVES = new Set([binaryen.ConstId, binaryen.NopId, binaryen.UnreachableId, binaryen.LocalGetId])

function walk(mod: binaryen.Module, expr: binaryen.ExpressionRef, h: Hist, region: Region): void {
  // Leaves outside the feature space; binaryen.js cannot describe some of them.
  if (LEAVES.has(binaryen.getExpressionId(expr))) return
  const info = binaryen.getExpressionInfo(expr) as binaryen.ExpressionInfo & Record<string, unknown>
  const id = info.id
  if (id === binaryen.LoopId) {
    setters.Loop.setBody(expr, region(info.body as number))
    return
  }
  if (id === binaryen.IfId) {
    bump(h, 0x04)
    walk(mod, info.condition as number, h, region)
    setters.If.setIfTrue(expr, region(info.ifTrue as number))
    if (info.ifFalse) setters.If.setIfFalse(expr, region(info.ifFalse as number, 0x05))
    return
  }
  const op = opcodeOf(info)
  if (op !== undefined) bump(h, op)
  if (Array.isArray(info.children)) for (const c of info.children as number[]) walk(mod, c, h, region)
  if (Array.isArray(info.operands)) for (const c of info.operands as number[]) walk(mod, c, h, region)
  for (const key of CHILD_KEYS) {
    const c = info[key]
    // Load/store `offset` and SIMD lane indices are plain numbers, not expressions: not listed.
    if (typeof c === 'number' && c !== 0 && key !== 'index') walk(mod, c, h, region)
  }
}

function opcodeOf(info: binaryen.ExpressionInfo & Record<string, unknown>): number | undefined {
  switch (info.id) {
    case binaryen.BreakId: return info.condition ? 0x0d : 0x0c
    case binaryen.SwitchId: return 0x0e
    case binaryen.ReturnId: return 0x0f
    case binaryen.CallId: return 0x10
    case binaryen.CallIndirectId: return 0x11
    case binaryen.SelectId: return 0x1b
    case binaryen.GlobalGetId: return 0x23
    case binaryen.GlobalSetId: return 0x24
    case binaryen.LoadId: return loadOpcode(info.type, info.bytes as number, info.isSigned as boolean)
    case binaryen.StoreId: return storeOpcode(binaryen.getExpressionType(info.value as number), info.bytes as number)
    case binaryen.MemorySizeId: return 0x3f
    case binaryen.MemoryGrowId: return 0x40
    case binaryen.UnaryId: return operatorOpcode(info.op as number, false)
    case binaryen.BinaryId: return operatorOpcode(info.op as number, true)
    case binaryen.MemoryCopyId: case binaryen.MemoryFillId: case binaryen.MemoryInitId: case binaryen.DataDropId: return 0xfc
    default: return undefined
  }
}
