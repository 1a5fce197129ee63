/**
 * Thread identity, CPU pinning and priority for the calling thread (main or worker). Linux
 * applies sched_setaffinity, setpriority and sched_setscheduler to single threads when given a
 * thread id, which is what lets stressor workers be pinned and deprioritised one by one.
 * @module
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { InvalidInputError } from '../common/errors.js'
import { binding } from './binding.js'

/** CPU_SETSIZE in glibc: the highest CPU index sched_setaffinity can name, plus one. */
const CPU_SETSIZE = 1024

/**
 * How setCurrentThreadPriority lowers a thread: 'nice' sets only its nice value, 'idle'
 * also moves it to SCHED_IDLE, which the kernel preempts on every wakeup of a normal thread.
 */
export type PriorityPolicy = 'nice' | 'idle'

/** The policy the measurement in native/README.md found to keep the daemon's API responsive. */
export const DEFAULT_PRIORITY_POLICY: PriorityPolicy = 'idle'

/** The kernel thread id (gettid) of the calling thread. */
export function currentThreadId(): number {
  if (binding) return binding.gettid()
  // /proc/thread-self links to "<pid>/task/<tid>" for whichever thread resolves it.
  return Number(readlinkSync('/proc/thread-self').split('/').pop())
}

function isPermissionError(err: unknown): boolean {
  // The addon sets code to the errno name; os.setPriority throws ERR_SYSTEM_ERROR with it in info.
  const e = err as { code?: string, info?: { code?: string } }
  const code = e.code === 'ERR_SYSTEM_ERROR' ? e.info?.code : e.code
  return code === 'EPERM' || code === 'EACCES'
}

/**
 * Pins the calling thread to one CPU.
 * @param cpu CPU index as in /proc/cpuinfo.
 * @returns true when pinned; false without the addon (there is no pure-JS affinity call).
 * @throws InvalidInputError when cpu is not an integer CPU index available to this process.
 */
export function pinCurrentThread(cpu: number): boolean {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= CPU_SETSIZE) {
    throw new InvalidInputError(`cpu must be an integer in [0, ${CPU_SETSIZE}), got ${String(cpu)}`)
  }
  if (!binding) return false
  try {
    binding.setAffinity(binding.gettid(), cpu)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') {
      throw new InvalidInputError(`cpu ${cpu} is not online or not allowed for this process`)
    }
    if (isPermissionError(err)) return false
    throw err
  }
}

/** The CPUs the calling thread may run on, or null without the addon. */
export function currentThreadAffinity(): number[] | null {
  return binding ? binding.getAffinity(binding.gettid()) : null
}

/**
 * Sets the calling thread's scheduling priority: lowered so stressors yield to the daemon's
 * threads, or raised for the daemon's API thread (which needs privileges). Without the addon the nice value is still set (os.setPriority on the thread id) but SCHED_IDLE
 * is not available.
 * @param nice nice value in [-20, 19]; raising priority (a lower value) needs privileges.
 * @param policy see PriorityPolicy.
 * @returns true when the nice value (and, with the addon, the policy) was applied; false when
 *   the kernel refused it for lack of privileges.
 * @throws InvalidInputError for a nice value outside [-20, 19] or an unknown policy.
 */
export function setCurrentThreadPriority(nice = 19, policy: PriorityPolicy = DEFAULT_PRIORITY_POLICY): boolean {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) {
    throw new InvalidInputError(`nice must be an integer in [-20, 19], got ${String(nice)}`)
  }
  if (policy !== 'nice' && policy !== 'idle') {
    throw new InvalidInputError(`policy must be 'nice' or 'idle', got ${String(policy)}`)
  }
  const tid = currentThreadId()
  try {
    if (!binding) {
      setPriority(tid, nice)
      return true
    }
    binding.setNice(tid, nice)
    if (policy === 'idle') binding.setIdlePolicy(tid)
    return true
  } catch (err) {
    if (isPermissionError(err)) return false
    throw err
  }
}
