/**
 * A simulated fleet for benchmarks and tests: devices with a speed factor and an interference
 * slope, workloads with a base runtime, and a ground-truth runtime law with log-normal noise.
 * @module
 */
import { Rng } from '../ml/index.js'
import { OnlineModel } from './online-model.js'
import type { DeviceView, Observation } from './types.js'

export interface SimWorld {
  speed: number[]
  slope: number[]
  base: number[]
  rng: Rng
  /** A true runtime draw, ms. */
  runtime(p: number, w: number, corunners: number): number
}

export function simWorld(devices: number, workloads: number, seed: number): SimWorld {
  const rng = new Rng(seed)
  const speed = Array.from({ length: devices }, () => Math.exp((rng.uniform() - 0.5) * 2))
  const slope = Array.from({ length: devices }, () => 0.3 + rng.uniform())
  const base = Array.from({ length: workloads }, () => Math.exp(Math.log(20) + rng.uniform() * Math.log(20)))
  return {
    speed, slope, base, rng,
    runtime: (p, w, k) => base[w]! * speed[p]! * Math.pow(1 + k, slope[p]!) * Math.exp(0.1 * rng.normal()),
  }
}

/** A fleet of `devices` with 0-3 co-runners each and an OnlineModel trained on `obsPerDevice` runs each. */
export function simulatedFleet(devices: number, workloads: number, seed: number, obsPerDevice = 3): { model: OnlineModel; fleet: DeviceView[]; workloads: number[]; world: SimWorld } {
  const world = simWorld(devices, workloads, seed)
  const model = new OnlineModel()
  const wIds = Array.from({ length: workloads }, (_, w) => model.workloadId(`w${w}`))
  const obs: Observation[] = []
  const fleet: DeviceView[] = []
  for (let p = 0; p < devices; p++) {
    const id = model.platformId(`d${p}`)
    for (let j = 0; j < obsPerDevice; j++) {
      const w = world.rng.int(workloads), k = world.rng.int(3)
      obs.push({ platform: id, workload: wIds[w]!, corunners: Array.from({ length: k }, () => wIds[world.rng.int(workloads)]!), runtimeMs: world.runtime(p, w, k) })
    }
    const running = Array.from({ length: world.rng.int(4) }, (_, j) => ({
      placementId: `p${p}-${j}`, workload: wIds[world.rng.int(workloads)]!, startedAt: 0, deadlineAt: 2000 + world.rng.int(4000), eps: 0.1,
    }))
    fleet.push({ id: `d${p}`, platform: id, live: true, running })
  }
  model.observe(obs)
  return { model, fleet, workloads: wIds, world }
}
