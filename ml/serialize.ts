/**
 * Parameter files in the safetensors layout (8-byte little-endian header length, JSON header
 * {name: {dtype, shape, data_offsets}}, raw little-endian data): simple, documented, and readable
 * by other tools, so no private format is invented here.
 * @see https://github.com/huggingface/safetensors#format
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { InvalidInputError } from '../common/errors.js'
import type { Param } from './params.js'

export interface StoredTensor { shape: number[]; data: Float32Array }

/** Writes the parameters' values (not gradients) to `path`; `metadata` is stored as strings. */
export function saveParams(path: string, params: readonly Param[], metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = { __metadata__: metadata }
  let offset = 0
  for (const p of params) {
    if (p.name in header) throw new InvalidInputError(`saveParams: duplicate parameter name '${p.name}'`)
    header[p.name] = { dtype: 'F32', shape: p.shape, data_offsets: [offset, offset + 4 * p.value.length] }
    offset += 4 * p.value.length
  }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (json.length % 8)) % 8) // keeps the data 8-byte aligned, as the format advises
  const head = Buffer.from(json, 'utf8')
  const out = Buffer.alloc(8 + head.length + offset)
  out.writeBigUInt64LE(BigInt(head.length), 0)
  head.copy(out, 8)
  let at = 8 + head.length
  for (const p of params) {
    Buffer.from(p.value.buffer, p.value.byteOffset, p.value.byteLength).copy(out, at)
    at += p.value.byteLength
  }
  writeFileSync(path, out)
}

/** Reads every tensor and the metadata of a safetensors file (F32 only). */
export function readTensors(path: string): { tensors: Map<string, StoredTensor>; metadata: Record<string, string> } {
  const buf = readFileSync(path)
  const bad = (why: string) => new InvalidInputError(`${path}: not a float32 safetensors file (${why})`)
  if (buf.length < 8) throw bad('too short')
  const len = Number(buf.readBigUInt64LE(0))
  if (8 + len > buf.length) throw bad('header length past end of file')
  let header: Record<string, any>
  try { header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) } catch { throw bad('header is not JSON') }
  const tensors = new Map<string, StoredTensor>()
  const base = 8 + len
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue
    if (e?.dtype !== 'F32') throw bad(`tensor '${name}' has dtype ${e?.dtype}`)
    const [b, end] = e.data_offsets as [number, number]
    const n = (e.shape as number[]).reduce((x, y) => x * y, 1)
    if (end - b !== 4 * n || base + end > buf.length) throw bad(`tensor '${name}' has bad offsets`)
    const data = new Float32Array(n)
    Buffer.from(data.buffer).set(buf.subarray(base + b, base + end))
    tensors.set(name, { shape: e.shape, data })
  }
  return { tensors, metadata: header.__metadata__ ?? {} }
}

/** Loads values saved by {@link saveParams} into `params`, matching names and shapes exactly. */
export function loadParams(path: string, params: readonly Param[]): Record<string, string> {
  const { tensors, metadata } = readTensors(path)
  for (const p of params) {
    const t = tensors.get(p.name)
    if (!t) throw new InvalidInputError(`${path}: no parameter '${p.name}'`)
    if (t.shape.join('x') !== p.shape.join('x')) {
      throw new InvalidInputError(`${path}: '${p.name}' has shape [${t.shape}], model expects [${p.shape}]`)
    }
    p.value.set(t.data)
  }
  return metadata
}
