import t from 'tap'
import { startWorker } from '../common/worker-url.js'
t.test('startWorker runs a .ts worker beside its caller under tsx', async (t) => {
  const w = startWorker(new URL('./helpers/x.ts', import.meta.url).href, 'smoke-worker')
  const v = await new Promise((r, j) => { w.once('message', r); w.once('error', j) })
  t.equal(v, 42)
  await w.terminate()
})
