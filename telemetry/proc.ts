/**
 * Cumulative counters from /proc (and /sys/block): per-core CPU jiffies, context switches,
 * whole-disk sectors, page faults, memory in use. The sampler turns two readings into rates.
 * @module
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** Where the readers look; tests point these at fixture trees. */
export interface ProcPaths {
  procRoot?: string
  sysRoot?: string
}

/** One reading of the cumulative counters. */
export interface ProcReading {
  /** Per core: busy (user+nice+system+irq+softirq+steal) and total jiffies. */
  cpuBusy: number[]
  cpuTotal: number[]
  contextSwitches: number
  readSectors: number
  writeSectors: number
  pageFaults: number
  majorFaults: number
  memUsedBytes: number
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on the Linux builds we support). */
export const USER_HZ = 100

/**
 * Per-core busy and total jiffies from /proc/stat. Guest time is already inside user/nice, so
 * it is not added again; iowait counts as idle, as in shared/data/traces.
 */
export function parseProcStat(text: string): { busy: number[]; total: number[]; ctxt: number } {
  const busy: number[] = []
  const total: number[] = []
  let ctxt = 0
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line)
    if (m) {
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = m[2]!.trim().split(/\s+/).map(Number)
      const b = user + nice + system + irq + softirq + steal
      busy[Number(m[1])] = b
      total[Number(m[1])] = b + idle + iowait
    } else if (line.startsWith('ctxt ')) ctxt = Number(line.slice(5))
  }
  return { busy, total, ctxt }
}

/**
 * Whole disks: block devices backed by hardware (`/sys/block/X/device` exists), which leaves out
 * partitions, loop, zram, ram and device-mapper devices that would count the same I/O twice.
 */
export function wholeDisks({ sysRoot = '/sys' }: ProcPaths = {}): string[] {
  try {
    return readdirSync(join(sysRoot, 'block')).filter((d) => existsSync(join(sysRoot, 'block', d, 'device'))).sort()
  } catch { return [] }
}

/** Device names listed in /proc/diskstats. */
export function diskstatsNames({ procRoot = '/proc' }: ProcPaths = {}): string[] {
  try {
    return readFileSync(join(procRoot, 'diskstats'), 'latin1').split('\n').map((l) => l.trim().split(/\s+/)[2]).filter((n): n is string => !!n)
  } catch { return [] }
}

/** Sectors (512 B, whatever the device's block size) read and written by the given disks. */
export function parseDiskstats(text: string, disks: readonly string[]): { read: number; write: number } {
  let read = 0
  let write = 0
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length >= 10 && disks.includes(f[2]!)) {
      read += Number(f[5])
      write += Number(f[9])
    }
  }
  return { read, write }
}

function field(text: string, re: RegExp): number {
  const m = re.exec(text)
  return m ? Number(m[1]) : 0
}

/** Creates a reader bound to paths and disks; each call reads all counters once. */
export function procReader({ procRoot = '/proc' }: ProcPaths, disks: readonly string[]): () => ProcReading {
  const read = (f: string) => { try { return readFileSync(join(procRoot, f), 'latin1') } catch { return '' } }
  return () => {
    const stat = parseProcStat(read('stat'))
    const disk = parseDiskstats(read('diskstats'), disks)
    const vm = read('vmstat')
    const mem = read('meminfo')
    return {
      cpuBusy: stat.busy,
      cpuTotal: stat.total,
      contextSwitches: stat.ctxt,
      readSectors: disk.read,
      writeSectors: disk.write,
      pageFaults: field(vm, /^pgfault (\d+)/m),
      majorFaults: field(vm, /^pgmajfault (\d+)/m),
      memUsedBytes: (field(mem, /^MemTotal:\s+(\d+)/m) - field(mem, /^MemAvailable:\s+(\d+)/m)) * 1024,
    }
  }
}
