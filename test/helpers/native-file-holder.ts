// Worker for test/native-disk.test.ts: opens files it never closes, then waits to be terminated.
import { parentPort, workerData } from 'node:worker_threads'
import { DiskFile } from '../../native/index.js'

const { path, count } = workerData as { path: string, count: number }
const held = Array.from({ length: count }, (_, i) => DiskFile.open(`${path}.${i}`, { size: 4096 }))
parentPort!.postMessage(held.length)
