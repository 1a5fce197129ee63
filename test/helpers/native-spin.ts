// Worker for test/native-perf.test.ts: burns about workerData.ms of CPU time, then reports.
import { parentPort, workerData } from 'node:worker_threads'

const start = process.hrtime.bigint()
let x = 0
while (Number(process.hrtime.bigint() - start) / 1e6 < (workerData as { ms: number }).ms) x = (x * 31 + 7) | 0
parentPort!.postMessage(x)
