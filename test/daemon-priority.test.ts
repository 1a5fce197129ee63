import t from 'tap'
import { readFileSync } from 'node:fs'
import { currentThreadId } from '../native/index.js'
import { API_NICE, raiseApiThread, stressorsRunLow } from '../daemon/priority.js'

// Field 19 of /proc/<pid>/task/<tid>/stat is the nice value; the command name (field 2) may hold
// spaces, so count from the closing parenthesis.
function threadNice(): number {
  const stat = readFileSync(`/proc/self/task/${currentThreadId()}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

t.test('stressors run low only when asked to, or when auto could not raise the API thread', async (t) => {
  t.equal(stressorsRunLow('low', { apiRaised: true }), true)
  t.equal(stressorsRunLow('normal', { apiRaised: false }), false)
  t.equal(stressorsRunLow('auto', { apiRaised: true }), false)
  t.equal(stressorsRunLow('auto', { apiRaised: false }), true)
})

t.test('low mode leaves the API thread alone', async (t) => {
  const before = threadNice()
  t.same(raiseApiThread('low'), { apiRaised: false })
  t.equal(threadNice(), before)
})

t.test('auto raises the API thread where the kernel allows it', async (t) => {
  const state = raiseApiThread('auto')
  if (process.getuid?.() === 0) t.equal(state.apiRaised, true, 'root may raise its own thread')
  t.equal(threadNice() === API_NICE, state.apiRaised, 'the reported state matches the kernel')
})
