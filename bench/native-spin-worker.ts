// Worker for bench/native-priority.ts: optionally pins and lowers itself, then spins until the
// shared stop flag is set, like a stressor holding its core at 100%.
import { parentPort, workerData } from 'node:worker_threads'
import { setCurrentThreadPriority, pinCurrentThread } from '../native/index.js'

const { mode, cpu, stop } = workerData as { mode: string, cpu: number, stop: SharedArrayBuffer }
if (mode.includes('pin')) pinCurrentThread(cpu)
if (mode.includes('nice')) setCurrentThreadPriority(19, 'nice')
if (mode.includes('idle')) setCurrentThreadPriority(19, 'idle')
// Workers of a raised daemon step back down to the nice value of ordinary processes.
if (mode.includes('raised')) setCurrentThreadPriority(0, 'nice')
const flag = new Int32Array(stop)
parentPort!.postMessage('spinning')
let x = 0
while (Atomics.load(flag, 0) === 0) {
  for (let i = 0; i < 100_000; i++) x = (x * 1103515245 + 12345) | 0
}
parentPort!.postMessage(x)
