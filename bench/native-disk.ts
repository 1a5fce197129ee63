/**
 * Disk throughput of the native layer against `dd` on the same file and block size:
 * `node dist/bench/native-disk.js [--size-mb 256] [--block-kb 1024] [--rounds 3] [--dir DIR] [--json]`.
 * Sequential reads through O_DIRECT, through buffered reads dropped with fadvise(DONTNEED),
 * and through plain fs.readSync (the pure-JS fallback, page cache warm), then O_DIRECT and
 * fs.writeSync writes made durable with fdatasync. Rounds are interleaved and the median
 * reported, with the ratio to dd for the same operation, since the disk is shared and noisy.
 * @module
 */
import { spawnSync } from 'node:child_process'
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { progressBar } from '../common/progress.js'
import { allocAligned, DiskFile } from '../native/index.js'

const { values: o } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '256' }, 'block-kb': { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' }, dir: { type: 'string', default: tmpdir() }, json: { type: 'boolean', default: false },
  },
})
const size = Number(o['size-mb']) << 20
const block = Number(o['block-kb']) << 10
const rounds = Number(o.rounds)
const blocks = size / block
const dir = mkdtempSync(join(o.dir!, 'edgemime-disk-bench-'))
const path = join(dir, 'bench.bin')

/** Runs fn (which moves `size` bytes) and returns MB/s. */
function timed(fn: () => void): number {
  const t0 = performance.now()
  fn()
  return size / 1e6 / ((performance.now() - t0) / 1e3)
}

function viaDiskFile(direct: boolean, write: boolean): number {
  const f = DiskFile.open(path, { size, direct })
  const buf = allocAligned(block).fill(0x33)
  try {
    return timed(() => {
      for (let i = 0; i < blocks; i++) write ? f.write(buf, i * block) : f.read(buf, i * block)
      if (write) f.sync()
    })
  } finally {
    f.close()
  }
}

function viaFs(write: boolean): number {
  const fd = openSync(path, 'r+')
  const buf = Buffer.alloc(block, 0x44)
  try {
    return timed(() => {
      for (let i = 0; i < blocks; i++) write ? writeSync(fd, buf, 0, block, i * block) : readSync(fd, buf, 0, block, i * block)
      if (write) fdatasyncSync(fd)
    })
  } finally {
    closeSync(fd)
  }
}

/** dd's own figure (bytes / seconds it prints), so process start-up is not counted. */
function viaDd(write: boolean): number {
  const io = write
    ? ['if=/dev/zero', `of=${path}`, 'oflag=direct', 'conv=notrunc,fdatasync']
    : [`if=${path}`, 'of=/dev/null', 'iflag=direct']
  const r = spawnSync('dd', [...io, `bs=${block}`, `count=${blocks}`], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } })
  const m = /(\d+) bytes .* copied, ([\d.e-]+) s/.exec(r.stderr)
  if (r.status !== 0 || !m) throw new Error(`dd failed: ${r.stderr || r.error?.message}`)
  return Number(m[1]) / 1e6 / Number(m[2])
}

const CASES = [
  { op: 'read', name: 'edgemime O_DIRECT', run: () => viaDiskFile(true, false) },
  { op: 'read', name: 'edgemime fadvise(DONTNEED)', run: () => viaDiskFile(false, false) },
  { op: 'read', name: 'fs.readSync (JS fallback, page cache)', run: () => viaFs(false) },
  { op: 'read', name: 'dd iflag=direct', run: () => viaDd(false), reference: true },
  { op: 'write', name: 'edgemime O_DIRECT + fdatasync', run: () => viaDiskFile(true, true) },
  { op: 'write', name: 'fs.writeSync + fdatasync (JS fallback)', run: () => viaFs(true) },
  { op: 'write', name: 'dd oflag=direct conv=fdatasync', run: () => viaDd(true), reference: true },
]

try {
  const fill = progressBar('writing the bench file', size, !o.json)
  DiskFile.open(path, { size, onFill: (done) => fill.update(done) }).close()
  fill.stop()
  const samples = CASES.map(() => [] as number[])
  const bar = progressBar('disk bench', rounds * CASES.length, !o.json)
  for (let r = 0; r < rounds; r++) {
    CASES.forEach((c, i) => {
      samples[i].push(c.run())
      bar.update(r * CASES.length + i + 1, c.name)
    })
  }
  bar.stop()
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const mbps = samples.map(median)
  const rows = CASES.map((c, i) => {
    const ref = mbps[CASES.findIndex((d) => d.op === c.op && d.reference)]
    return { op: c.op, method: c.name, mbPerS: +mbps[i].toFixed(1), ddMbPerS: +ref.toFixed(1), ratioToDd: +(mbps[i] / ref).toFixed(2) }
  })
  if (o.json) {
    console.log(JSON.stringify({ sizeBytes: size, blockBytes: block, rounds, dir: o.dir, rows }))
  } else {
    console.log(`file ${size >> 20} MiB in ${o.dir}, block ${block >> 10} KiB, median of ${rounds} interleaved rounds`)
    console.log('| op | method | MB/s | dd MB/s | ratio to dd |\n| --- | --- | ---: | ---: | ---: |')
    for (const r of rows) console.log(`| ${r.op} | ${r.method} | ${r.mbPerS} | ${r.ddMbPerS} | ${r.ratioToDd} |`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
