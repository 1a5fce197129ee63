/**
 * Records that cross the workloads/ boundary: what to run and what came of it.
 * @module
 */

/** WASI flavour of a module: a preview1 core module or a preview2 component. */
export type WasmKind = 'preview1' | 'preview2'

/** One WebAssembly workload run on a device. */
export interface WorkloadSpec {
  /** The .wasm bytes: a WASI preview1 core module or a preview2 component (detected). */
  wasm: Uint8Array
  /** argv[1..]; argv[0] is the workload's name. */
  args?: string[]
  /** Files placed in the workload's preopened root directory, by relative name. */
  files?: Record<string, Uint8Array | string>
  /** Wall-time limit of the whole run (instantiate + execute), ms. */
  wallLimitMs?: number
  /** Upper bound on the module's linear memory, bytes (rounded down to 64 KiB pages). */
  memoryLimitBytes?: number
  /** Name shown as argv[0] and in reports. */
  name?: string
}

/**
 * How a run ended. Everything except 'ok' is a failure that the caller reports; 'cancelled':
 * the caller gave up (e.g. the dispatching orchestrator disconnected) and the run was stopped.
 */
export type RunStatus = 'ok' | 'exit' | 'trap' | 'timeout' | 'oom' | 'error' | 'cancelled'

export interface RunResult {
  status: RunStatus
  /** Process exit code for 'ok' (0) and 'exit' (non-zero); null otherwise. */
  exitCode: number | null
  /** Wall time of the workload's own execution (after instantiation), ms. */
  runtimeMs: number
  /** Wall time from request to result, including worker start and compilation, ms. */
  totalMs: number
  stdout: string
  stderr: string
  /** Why it failed, for humans; empty when status is 'ok'. */
  message: string
  kind: WasmKind
  /** Region counters of an instrumented profiling run (see instrument.ts). */
  counters?: number[]
}

/** Export name prefix of the opcode-count globals of an instrumented module. */
export const COUNTER_PREFIX = '__emc'
