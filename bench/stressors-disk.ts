/**
 * Disk half of bench/stressors.ts: each unpaced disk stressor (DiskDriver on a DiskFile, as
 * the executor runs it) against `dd` with O_DIRECT moving the same bytes in the same blocks.
 * @module
 */
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { DiskFile } from '../native/index.js'
import { monoMs } from '../stressors-wasm/clock.js'
import { DiskDriver } from '../stressors-wasm/disk-driver.js'
import { workerStressor } from '../stressors-wasm/footprint.js'
import type { StressorSpec } from '../stressors-wasm/index.js'

export interface DiskRow { stressor: string, wasm: number, reference: number, unit: 'MB/s', ratio: number, bypass: string }

/** MB/s of `dd` reading or writing `bytes` of `path` in `block`-byte O_DIRECT blocks (writes: fdatasync at the end; the stressor syncs each block's range). */
function dd(path: string, write: boolean, bytes: number, block: number): number {
  const count = String(bytes / block)
  const args = write
    ? [`if=/dev/zero`, `of=${path}`, `bs=${block}`, `count=${count}`, 'oflag=direct', 'conv=notrunc,fdatasync']
    : [`if=${path}`, 'of=/dev/null', `bs=${block}`, `count=${count}`, 'iflag=direct']
  const r = spawnSync('dd', args, { encoding: 'utf8' })
  // "67108864 bytes (67 MB, 64 MiB) copied, 0.0345 s, 1.9 GB/s"
  const m = /(\d+) bytes .* copied, ([\d.]+) s/.exec(r.stderr)
  if (r.status !== 0 || !m) throw new Error(`dd failed: ${r.stderr.trim()}`)
  return Number(m[1]) / 1e6 / Number(m[2])
}

/** Best-of-`rounds` MB/s for the stressor and for dd, interleaved. */
export function benchDisk(spec: StressorSpec, dir: string, ms: number, rounds: number): DiskRow {
  const params = Object.fromEntries(Object.entries(spec.params).map(([k, p]) => [k, p.default]))
  const path = join(dir, `${spec.name}.bin`)
  const file = DiskFile.open(path, { size: params.fileBytes! })
  const ctrl = new Int32Array(new SharedArrayBuffer(8))
  let wasm = 0
  let reference = 0
  try {
    for (let r = 0; r < rounds; r++) {
      const driver = new DiskDriver(file, workerStressor(0, spec, params))
      const t0 = monoMs()
      const { bytes } = driver.runUntil(t0 + ms, ctrl)
      wasm = Math.max(wasm, bytes / 1e3 / (monoMs() - t0))
      // The same bytes dd moves: what the stressor moved, rounded to whole blocks of the file.
      const ddBytes = Math.min(params.fileBytes!, Math.max(params.blockBytes!, Math.floor(bytes / params.blockBytes!) * params.blockBytes!))
      reference = Math.max(reference, dd(path, spec.kernel === 'disk-write', ddBytes, params.blockBytes!))
    }
  } finally {
    file.close()
    rmSync(path, { force: true })
  }
  return { stressor: spec.name, wasm, reference, unit: 'MB/s', ratio: wasm / reference, bypass: file.bypass }
}
