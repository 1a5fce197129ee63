// Central finite differences for ml/ gradient tests: perturbs single parameter entries and
// compares with the analytic gradient. Float32 forward passes limit the accuracy, hence the
// explicit tolerances at the call sites.
import type { Param } from '../../ml/index.js'

export interface GradCheckResult { worst: number; checked: number }

/**
 * @param loss recomputes the scalar loss from the current parameter values
 * @param params parameters whose .grad holds the analytic gradient of `loss`
 */
export function gradCheck(loss: () => number, params: readonly Param[], { h = 1e-2, perParam = 12, atol = 1e-3 } = {}): GradCheckResult {
  let worst = 0
  let checked = 0
  for (const p of params) {
    const step = Math.max(1, Math.floor(p.value.length / perParam))
    for (let i = 0; i < p.value.length; i += step) {
      const v = p.value[i]
      p.value[i] = v + h
      const up = loss()
      p.value[i] = v - h
      const down = loss()
      p.value[i] = v
      const fd = (up - down) / (2 * h)
      const err = Math.abs(fd - p.grad[i]) / (atol + Math.abs(fd))
      worst = Math.max(worst, err)
      checked++
    }
  }
  return { worst, checked }
}
