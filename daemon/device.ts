/**
 * The device facts the API serves: the telemetry fingerprint, its Pitot platform feature vector
 * and which native features are active. Gathered once at start (they do not change while the
 * daemon runs; the disk-directory probe is redone on SIGHUP since caps.diskDir may change).
 * @module
 */
import { nativeFeatures, type NativeFeatures } from '../native/index.js'
import { deviceFingerprint, platformFeatures, type DeviceFingerprint } from '../telemetry/index.js'

export interface DeviceInfo {
  fingerprint: DeviceFingerprint
  platformFeatures: { names: string[]; values: number[] }
  native: NativeFeatures
}

export async function gatherDeviceInfo(diskDir: string): Promise<DeviceInfo> {
  const fingerprint = await deviceFingerprint()
  return { fingerprint, platformFeatures: platformFeatures(fingerprint), native: nativeFeatures({ diskDir }) }
}
