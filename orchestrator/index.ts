/**
 * The orchestrator: a fleet of daemons that register and heartbeat, interference-aware
 * placement of WebAssembly workloads with 1 − ε runtime bounds, dispatch to daemons, and
 * online learning from every observed runtime.
 * @module
 */
export { createOrchestrator, type OrchestratorService, type OrchestratorOptions } from './service.js'
export { loadOrchestratorConfig, OrchestratorConfigSchema, ORCHESTRATOR_SCOPES, type OrchestratorConfig, type OrchestratorScope } from './config.js'
export { Orchestrator, RESTARTED, type PlacementRecord, type SubmitRequest, type Attempt, type RecoveryReport } from './orchestrator.js'
export { Fleet, type Device } from './fleet.js'
export { place, type PlacementRequest } from './placement.js'
export { OnlineModel, type OnlineModelOptions } from './online-model.js'
export { PitotRuntimeModel } from './pitot-model.js'
export { startRegistration, dispatchCredential, type Registration, type RegistrationOptions, type DispatchCredential } from './registration.js'
export { dispatch, DeviceUnreachable } from './dispatch.js'
export { simWorld, simulatedFleet } from './simulate.js'
export type { RuntimeModel, ScoreRows, Scores, Observation, DeviceView, Running, Candidate, Decision } from './types.js'
