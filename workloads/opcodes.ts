/**
 * The mapping from binaryen IR nodes to WebAssembly opcode bytes (loaded with binaryen, so only
 * by the instrumenting worker).
 * @module
 */
import binaryen from 'binaryen'

// Unary and binary operators in opcode order from 0x45 (i32.eqz) to 0xC4 (i64.extend32_s);
// 0x41-0x44 (consts) are not operators and are skipped by starting after them.
const NUMERIC_OPS = [
  'EqZInt32', 'EqInt32', 'NeInt32', 'LtSInt32', 'LtUInt32', 'GtSInt32', 'GtUInt32', 'LeSInt32', 'LeUInt32', 'GeSInt32', 'GeUInt32',
  'EqZInt64', 'EqInt64', 'NeInt64', 'LtSInt64', 'LtUInt64', 'GtSInt64', 'GtUInt64', 'LeSInt64', 'LeUInt64', 'GeSInt64', 'GeUInt64',
  'EqFloat32', 'NeFloat32', 'LtFloat32', 'GtFloat32', 'LeFloat32', 'GeFloat32',
  'EqFloat64', 'NeFloat64', 'LtFloat64', 'GtFloat64', 'LeFloat64', 'GeFloat64',
  'ClzInt32', 'CtzInt32', 'PopcntInt32', 'AddInt32', 'SubInt32', 'MulInt32', 'DivSInt32', 'DivUInt32', 'RemSInt32', 'RemUInt32',
  'AndInt32', 'OrInt32', 'XorInt32', 'ShlInt32', 'ShrSInt32', 'ShrUInt32', 'RotLInt32', 'RotRInt32',
  'ClzInt64', 'CtzInt64', 'PopcntInt64', 'AddInt64', 'SubInt64', 'MulInt64', 'DivSInt64', 'DivUInt64', 'RemSInt64', 'RemUInt64',
  'AndInt64', 'OrInt64', 'XorInt64', 'ShlInt64', 'ShrSInt64', 'ShrUInt64', 'RotLInt64', 'RotRInt64',
  'AbsFloat32', 'NegFloat32', 'CeilFloat32', 'FloorFloat32', 'TruncFloat32', 'NearestFloat32', 'SqrtFloat32',
  'AddFloat32', 'SubFloat32', 'MulFloat32', 'DivFloat32', 'MinFloat32', 'MaxFloat32', 'CopySignFloat32',
  'AbsFloat64', 'NegFloat64', 'CeilFloat64', 'FloorFloat64', 'TruncFloat64', 'NearestFloat64', 'SqrtFloat64',
  'AddFloat64', 'SubFloat64', 'MulFloat64', 'DivFloat64', 'MinFloat64', 'MaxFloat64', 'CopySignFloat64',
  'WrapInt64', 'TruncSFloat32ToInt32', 'TruncUFloat32ToInt32', 'TruncSFloat64ToInt32', 'TruncUFloat64ToInt32',
  'ExtendSInt32', 'ExtendUInt32', 'TruncSFloat32ToInt64', 'TruncUFloat32ToInt64', 'TruncSFloat64ToInt64', 'TruncUFloat64ToInt64',
  'ConvertSInt32ToFloat32', 'ConvertUInt32ToFloat32', 'ConvertSInt64ToFloat32', 'ConvertUInt64ToFloat32', 'DemoteFloat64',
  'ConvertSInt32ToFloat64', 'ConvertUInt32ToFloat64', 'ConvertSInt64ToFloat64', 'ConvertUInt64ToFloat64', 'PromoteFloat32',
  'ReinterpretFloat32', 'ReinterpretFloat64', 'ReinterpretInt32', 'ReinterpretInt64',
  'ExtendS8Int32', 'ExtendS16Int32', 'ExtendS8Int64', 'ExtendS16Int64', 'ExtendS32Int64',
]
const SAT_OPS = ['TruncSatSFloat32ToInt32', 'TruncSatUFloat32ToInt32', 'TruncSatSFloat64ToInt32', 'TruncSatUFloat64ToInt32',
  'TruncSatSFloat32ToInt64', 'TruncSatUFloat32ToInt64', 'TruncSatSFloat64ToInt64', 'TruncSatUFloat64ToInt64']

const B = binaryen as unknown as Record<string, number>
/** binaryen numbers UnaryOp and BinaryOp separately (ClzInt32 and AddInt32 are both 0). */
const UNARY = /^(EqZ|Clz|Ctz|Popcnt|Abs|Neg|Ceil|Floor|Trunc|Nearest|Sqrt|Wrap|Extend|Convert|Demote|Promote|Reinterpret)/
const entries: Array<[string, number]> = [...NUMERIC_OPS.map((name, i): [string, number] => [name, 0x45 + i]), ...SAT_OPS.map((name): [string, number] => [name, 0xfc])]
/** binaryen operator constant -> opcode byte (0xFC for the saturating truncations), per operator kind. */
const UNARY_OPS = new Map(entries.filter(([n]) => UNARY.test(n)).map(([n, op]): [number, number] => [B[n]!, op]))
const BINARY_OPS = new Map(entries.filter(([n]) => !UNARY.test(n)).map(([n, op]): [number, number] => [B[n]!, op]))

/** Opcode of a unary or binary operator, or undefined for SIMD and other operators outside the MVP. */
export function operatorOpcode(op: number, binary: boolean): number | undefined {
  return (binary ? BINARY_OPS : UNARY_OPS).get(op)
}

/** Opcode of a load by result type, width and signedness. */
export function loadOpcode(type: number, bytes: number, signed: boolean): number {
  if (type === binaryen.f32) return 0x2a
  if (type === binaryen.f64) return 0x2b
  if (type === binaryen.i32) return bytes === 4 ? 0x28 : bytes === 1 ? (signed ? 0x2c : 0x2d) : (signed ? 0x2e : 0x2f)
  if (bytes === 8) return 0x29
  return bytes === 1 ? (signed ? 0x30 : 0x31) : bytes === 2 ? (signed ? 0x32 : 0x33) : (signed ? 0x34 : 0x35)
}

/** Opcode of a store by value type and width. */
export function storeOpcode(valueType: number, bytes: number): number {
  if (valueType === binaryen.f32) return 0x38
  if (valueType === binaryen.f64) return 0x39
  if (valueType === binaryen.i32) return bytes === 4 ? 0x36 : bytes === 1 ? 0x3a : 0x3b
  return bytes === 8 ? 0x37 : bytes === 1 ? 0x3c : bytes === 2 ? 0x3d : 0x3e
}
