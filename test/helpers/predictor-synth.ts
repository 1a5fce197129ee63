/**
 * Synthetic datasets in the Pitot CSV format with a planted structure: log runtime =
 * platform speed + workload size + a rank-2 interaction of feature-driven embeddings
 * + an interference penalty (workload sensitivity × co-runner pressure × platform factor) + noise.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Rng } from '../../ml/index.js'

export interface SynthOptions { platforms?: number; workloads?: number; isolated?: number; paired?: number; noise?: number; seed?: number }

export interface Synth {
  dir: string
  /** Noise-free log runtime of (platform, workload, co-runners). */
  truth(p: number, w: number, k?: number[]): number
}

/** Writes the dataset into `dir` (a test's own temp directory, e.g. `tempDir(t, 'pitot-synth-')`, so it is removed afterwards). */
export function writeSynth(opts: SynthOptions, dir: string): Synth {
  const { platforms = 24, workloads = 30, isolated = 500, paired = 700, noise = 0.02, seed = 1 } = opts
  const rng = new Rng(seed)
  const pf = Array.from({ length: platforms }, () => [rng.normal(), rng.normal(), rng.normal(), rng.uniform()])
  const wf = Array.from({ length: workloads }, () => [rng.normal(), rng.normal(), rng.normal(), rng.normal(), rng.uniform()])
  const speed = pf.map((f) => 0.8 * f[0] - 0.3 * f[3])
  const size = wf.map((f) => 6 + 1.5 * f[0] + 0.5 * f[4])
  const u = wf.map((f) => [Math.tanh(f[1]), 0.5 * f[2]])
  const v = pf.map((f) => [0.6 * f[1], Math.tanh(f[2])])
  const sens = wf.map((f) => 0.3 + 0.25 * (f[3] + 1.5) * 0.3)
  const press = wf.map((f) => Math.max(0, 0.5 + 0.4 * f[3]))
  const truth = (p: number, w: number, k: number[] = []) =>
    speed[p] + size[w] + u[w][0] * v[p][0] + u[w][1] * v[p][1] + k.reduce((s, c) => s + sens[w] * press[c] * (0.5 + pf[p][3]), 0)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'platforms.csv'), ['platform_idx,platform,f0,f1,f2,f3', ...pf.map((f, j) => `${j},plat-${j},${f.join(',')}`)].join('\n') + '\n')
  writeFileSync(join(dir, 'workloads.csv'), ['workload_idx,workload,suite,o0,o1,o2,o3,o4', ...wf.map((f, i) => `${i},work-${i},synth,${f.join(',')}`)].join('\n') + '\n')
  const t = (x: number) => Math.exp(x + noise * rng.normal())
  const mf = ['platform_idx,workload_idx,t']
  for (let r = 0; r < isolated; r++) { const p = rng.int(platforms), w = rng.int(workloads); mf.push(`${p},${w},${t(truth(p, w))}`) }
  const if2 = ['platform_idx,workload_idx,interference0_idx,t']
  for (let r = 0; r < paired; r++) { const p = rng.int(platforms), w = rng.int(workloads), k = rng.int(workloads); if2.push(`${p},${w},${k},${t(truth(p, w, [k]))}`) }
  writeFileSync(join(dir, 'mf.csv'), mf.join('\n') + '\n')
  writeFileSync(join(dir, 'if2.csv'), if2.join('\n') + '\n')
  return { dir, truth }
}

/** A small, fast model configuration for tests. */
export const TINY = { rank: 8, hidden: 32, steps: 600, batch: 256, validateEvery: 50, learningRate: 0.01, members: 1 }
