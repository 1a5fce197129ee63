/**
 * One inference-session API over both ONNX Runtime packages: onnxruntime-node (native CPU
 * kernels, preferred) and onnxruntime-web (WebAssembly), which runs where the native addon
 * cannot load. Callers pass and receive plain typed arrays and learn which runtime ran.
 * @module
 */
import { InvalidInputError } from '../../common/errors.js'

export type OrtBackend = 'onnxruntime-node' | 'onnxruntime-web'
export type TensorData = Float32Array | Int32Array | BigInt64Array

export interface Feed { data: TensorData; dims: readonly number[] }
export interface Fetched { data: TensorData; dims: readonly number[] }

export interface SessionOptions {
  /** Runtime to try first (default node); the other one is the fallback. */
  prefer?: 'node' | 'web'
  /** Intra-op threads (default 2: this project's devices are small). */
  threads?: number
  /** Let idle intra-op threads spin (default false: on a shared 2-core device spinning steals the core the other thread needs). */
  spinning?: boolean
}

export interface Session {
  /** The runtime actually used. */
  readonly backend: OrtBackend
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]
  /** Runs the graph; `outputs` restricts what is fetched (default all). */
  run(feeds: Record<string, Feed>, outputs?: readonly string[]): Promise<Record<string, Fetched>>
  release(): Promise<void>
}

type OrtModule = typeof import('onnxruntime-node')

async function load(which: 'node' | 'web', threads: number): Promise<OrtModule> {
  if (which === 'node') return (await import('onnxruntime-node')) as OrtModule
  const web = (await import('onnxruntime-web')) as unknown as OrtModule
  web.env.wasm.numThreads = threads
  return web
}

/**
 * Opens a model (file path or bytes) with onnxruntime-node, falling back to onnxruntime-web.
 * @example
 * const s = await createSession('model.onnx')
 * console.log(s.backend) // 'onnxruntime-node'
 * const { y } = await s.run({ x: { data: x, dims: [rows, 142] } })
 */
export async function createSession(model: string | Uint8Array, { prefer = 'node', threads = 2, spinning = false }: SessionOptions = {}): Promise<Session> {
  const order: ('node' | 'web')[] = prefer === 'node' ? ['node', 'web'] : ['web', 'node']
  const errors: string[] = []
  for (const which of order) {
    try {
      const ort = await load(which, threads)
      const session = await ort.InferenceSession.create(model as Uint8Array, {
        intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
        extra: { session: { intra_op: { allow_spinning: spinning ? '1' : '0' } } },
      })
      return wrap(ort, session, which === 'node' ? 'onnxruntime-node' : 'onnxruntime-web')
    } catch (e) {
      errors.push(`${which}: ${(e as Error).message}`)
    }
  }
  throw new InvalidInputError(`cannot open ONNX model${typeof model === 'string' ? ` ${model}` : ''}: ${errors.join('; ')}`)
}

function wrap(ort: OrtModule, s: Awaited<ReturnType<OrtModule['InferenceSession']['create']>>, backend: OrtBackend): Session {
  return {
    backend,
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    async run(feeds, outputs) {
      const tensors: Record<string, InstanceType<OrtModule['Tensor']>> = {}
      for (const [name, f] of Object.entries(feeds)) {
        const type = f.data instanceof Float32Array ? 'float32' : f.data instanceof Int32Array ? 'int32' : 'int64'
        tensors[name] = new ort.Tensor(type, f.data, f.dims as number[])
      }
      const res = outputs ? await s.run(tensors, outputs as string[]) : await s.run(tensors)
      const out: Record<string, Fetched> = {}
      for (const [name, t] of Object.entries(res)) out[name] = { data: t.data as TensorData, dims: t.dims }
      return out
    },
    release: () => s.release(),
  }
}
