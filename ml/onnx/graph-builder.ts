/**
 * A small ONNX graph builder over onnx-proto: declare inputs, initializers, nodes and outputs,
 * then serialise. Names are generated for intermediate values, so exporters compose: each takes
 * the name of its input value and returns the name of its output value.
 * @module
 */
import { writeFileSync } from 'node:fs'
import onnxProto from 'onnx-proto'
import { InvalidInputError } from '../../common/errors.js'

const { onnx } = onnxProto
type Proto = typeof onnx

/** Element types the builder supports. */
export type DType = 'float32' | 'int64' | 'int32'
/** A dimension: a fixed size or a symbolic name ('batch'). */
export type Dim = number | string
/** Typed attribute values: ONNX distinguishes int and float attributes, JS numbers do not. */
export type AttrValue =
  | { int: number } | { float: number } | { ints: readonly number[] } | { floats: readonly number[] } | { string: string }

/** Helpers for {@link AttrValue}: `{ alpha: attr.float(0.1), axis: attr.int(1) }`. */
export const attr = {
  int: (v: number): AttrValue => ({ int: v }),
  float: (v: number): AttrValue => ({ float: v }),
  ints: (v: readonly number[]): AttrValue => ({ ints: v }),
  floats: (v: readonly number[]): AttrValue => ({ floats: v }),
  string: (v: string): AttrValue => ({ string: v }),
}

const ELEM: Record<DType, number> = { float32: 1, int64: 7, int32: 6 }

export interface ModelOptions {
  /** Default opset 17 (LayerNormalization, Gemm, Erf, ReduceSum with axes input). */
  opset?: number
  producer?: string
  /** Stored as metadata_props. */
  metadata?: Record<string, string>
}

export class GraphBuilder {
  #inputs: InstanceType<Proto['ValueInfoProto']>[] = []
  #outputs: InstanceType<Proto['ValueInfoProto']>[] = []
  #inits: InstanceType<Proto['TensorProto']>[] = []
  #nodes: InstanceType<Proto['NodeProto']>[] = []
  #names = new Set<string>()
  #counter = 0
  // Values renamed by output(): old name -> new name.
  #alias = new Map<string, string>()

  constructor(readonly name = 'graph') {}

  /** An unused value name with the given prefix (claimed when a value is defined under it). */
  fresh(prefix = 'v'): string {
    let n: string
    do n = `${prefix}_${this.#counter++}`; while (this.#names.has(n))
    return n
  }

  #resolve(name: string): string { return this.#alias.get(name) ?? name }

  #claim(name: string): string {
    if (this.#names.has(name)) throw new InvalidInputError(`ONNX graph '${this.name}': value '${name}' defined twice`)
    this.#names.add(name)
    return name
  }

  /** Whether a value of this name exists in the graph. */
  has(name: string): boolean { return this.#names.has(name) }

  /** Declares a graph input; returns its name. */
  input(name: string, shape: readonly Dim[], dtype: DType = 'float32'): string {
    this.#inputs.push(valueInfo(this.#claim(name), shape, dtype))
    return name
  }

  /** Adds a constant tensor (weights, shapes, indices); returns its name. */
  initializer(name: string, data: Float32Array | Int32Array | BigInt64Array | readonly number[], shape: readonly number[], dtype: DType = 'float32'): string {
    const n = shape.reduce((a, b) => a * b, 1)
    if (data.length !== n) throw new InvalidInputError(`ONNX initializer '${name}': ${data.length} values for shape [${shape}]`)
    const t = onnx.TensorProto.create({ name: this.#claim(name), dims: [...shape], dataType: ELEM[dtype] })
    if (dtype === 'float32') t.rawData = bytes(Float32Array.from(data as ArrayLike<number>))
    else if (dtype === 'int32') t.rawData = bytes(Int32Array.from(data as ArrayLike<number>))
    else t.rawData = bytes(BigInt64Array.from(Array.from(data as ArrayLike<number | bigint>, (v) => BigInt(v))))
    this.#inits.push(t)
    return name
  }

  /** A constant under a fresh name (scalars for Mul/Add, int64 axes, shapes). */
  constant(data: readonly number[] | Float32Array, shape: readonly number[] = [data.length], dtype: DType = 'float32'): string {
    return this.initializer(this.fresh('const'), data, shape, dtype)
  }

  /**
   * Adds a node. `outputs` is a count of fresh outputs (default 1) or explicit names.
   * Returns the output names. Use `domain` for contrib ops (e.g. 'com.microsoft').
   */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {},
    { outputs = 1, domain, name }: { outputs?: number | readonly string[]; domain?: string; name?: string } = {}): string[] {
    inputs = inputs.map((i) => this.#resolve(i))
    for (const i of inputs) {
      if (i !== '' && !this.#names.has(i)) throw new InvalidInputError(`ONNX node ${opType}: unknown input '${i}'`)
    }
    const outs = typeof outputs === 'number'
      ? Array.from({ length: outputs }, () => this.#claim(this.fresh(opType.toLowerCase())))
      : outputs.map((o) => this.#claim(o))
    this.#nodes.push(onnx.NodeProto.create({
      opType, input: [...inputs], output: outs, name: name ?? `${opType}_${this.#nodes.length}`, domain,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    }))
    return outs
  }

  /** Single-output node: returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, attrs)[0]
  }

  /**
   * Marks an existing value as a graph output under `name`. A node's output is renamed in place
   * (later uses of the old name follow); an Identity node, which copies the tensor on every run,
   * is added only for graph inputs, initializers and values already output under another name.
   */
  output(value: string, name = value, shape: readonly Dim[] | undefined = undefined, dtype: DType = 'float32'): string {
    value = this.#resolve(value)
    if (!this.#names.has(value)) throw new InvalidInputError(`ONNX output: unknown value '${value}'`)
    let out = value
    if (name !== value) {
      const produced = this.#nodes.some((n) => n.output.includes(value))
      if (produced && !this.#outputs.some((o) => o.name === value)) {
        this.#claim(name)
        for (const n of this.#nodes) {
          n.input = n.input.map((i) => (i === value ? name : i))
          n.output = n.output.map((o) => (o === value ? name : o))
        }
        this.#alias.set(value, name)
        out = name
      } else {
        out = this.node('Identity', [value], {}, { outputs: [name] })[0]
      }
    }
    this.#outputs.push(valueInfo(out, shape, dtype))
    return out
  }

  /** Serialises the model (ONNX IR 8). */
  toBytes({ opset = 17, producer = 'edgemime-ml', metadata = {} }: ModelOptions = {}): Uint8Array {
    if (this.#outputs.length === 0) throw new InvalidInputError(`ONNX graph '${this.name}' has no outputs`)
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: producer,
      opsetImport: [{ domain: '', version: opset }, { domain: 'com.microsoft', version: 1 }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: onnx.GraphProto.create({
        name: this.name, input: this.#inputs, output: this.#outputs, initializer: this.#inits, node: this.#nodes,
      }),
    })
    return onnx.ModelProto.encode(model).finish()
  }

  /** Writes the model to `path`. */
  save(path: string, opts: ModelOptions = {}): void { writeFileSync(path, this.toBytes(opts)) }
}

function bytes(a: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
}

function valueInfo(name: string, shape: readonly Dim[] | undefined, dtype: DType) {
  const tensorType: Record<string, unknown> = { elemType: ELEM[dtype] }
  if (shape) tensorType.shape = { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) }
  return onnx.ValueInfoProto.create({ name, type: { tensorType } })
}

function attribute(name: string, v: AttrValue) {
  const A = onnx.AttributeProto.AttributeType
  if ('int' in v) return onnx.AttributeProto.create({ name, type: A.INT, i: v.int })
  if ('float' in v) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v.float })
  if ('ints' in v) return onnx.AttributeProto.create({ name, type: A.INTS, ints: [...v.ints] })
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: [...v.floats] })
  return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v.string) })
}
