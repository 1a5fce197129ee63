// Worker for test/native.test.ts: loads the addon inside a worker thread, pins and lowers
// itself as asked, reports its thread id, then stays alive until told to exit so the test can
// read /proc/self/task/<tid>.
import { parentPort, workerData } from 'node:worker_threads'
import { currentThreadId, setCurrentThreadPriority, nativeFeatures, pinCurrentThread } from '../../native/index.js'

const { cpu, nice, policy } = workerData as { cpu: number, nice: number, policy: 'nice' | 'idle' }
const pinned = pinCurrentThread(cpu)
const lowered = setCurrentThreadPriority(nice, policy)
parentPort!.postMessage({ tid: currentThreadId(), pinned, lowered, addon: nativeFeatures().addon })
parentPort!.once('message', () => process.exit(0))
