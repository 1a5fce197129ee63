/**
 * The fleet registry: devices that registered, their heartbeats, what runs on each, and which
 * are lost (silent past lostAfterMs). Devices live in memory: a restarted orchestrator learns
 * its fleet again from the next heartbeats (daemons re-register on 404), dispatch credentials
 * included, so those credentials never have to be written to disk.
 * @module
 */
import { randomUUID } from 'node:crypto'
import { NotFoundError } from '../common/errors.js'
import type { DeviceView, Running } from './types.js'

export interface Device extends DeviceView {
  name: string
  url: string
  platformFeatures: number[]
  registeredAt: number
  lastSeen: number
  /** Bearer token for dispatching to this daemon (memory only; see orchestrator/README.md). */
  token?: string
}

export class Fleet {
  readonly #devices = new Map<string, Device>()
  readonly #byUrl = new Map<string, string>()

  /** Registers a device (or refreshes the one already registered at `url`). */
  register(d: { name: string; url: string; platformFeatures: number[]; platform: number; token?: string }, now = Date.now()): Device {
    const known = this.#byUrl.get(d.url)
    const id = known ?? randomUUID()
    const device: Device = { id, name: d.name, url: d.url, platformFeatures: d.platformFeatures, platform: d.platform, live: true, running: this.#devices.get(id)?.running ?? [], registeredAt: now, lastSeen: now, token: d.token }
    this.#devices.set(id, device)
    this.#byUrl.set(d.url, id)
    return device
  }

  /** @throws NotFoundError for an unknown device (the daemon then registers again). */
  heartbeat(id: string, now = Date.now()): Device {
    const d = this.get(id)
    if (!d.live) throw new NotFoundError(`device ${id} was marked lost; register again`)
    d.lastSeen = now
    return d
  }

  get(id: string): Device {
    const d = this.#devices.get(id)
    if (!d) throw new NotFoundError(`unknown device ${id}`)
    return d
  }

  /** Marks silent devices lost; returns the newly lost ones with the work they had. */
  sweep(lostAfterMs: number, now = Date.now()): Array<{ device: Device; running: Running[] }> {
    const lost: Array<{ device: Device; running: Running[] }> = []
    for (const d of this.#devices.values()) {
      if (d.live && now - d.lastSeen > lostAfterMs) lost.push({ device: d, running: this.markLost(d.id) })
    }
    return lost
  }

  /** Marks a device lost at once (e.g. its daemon refused a connection); returns its work. */
  markLost(id: string): Running[] {
    const d = this.get(id)
    d.live = false
    const running = d.running
    d.running = []
    return running
  }

  /** Removes a finished (or failed) placement from its device; false when it was not there. */
  finish(deviceId: string, placementId: string): boolean {
    const d = this.#devices.get(deviceId)
    if (!d) return false
    const before = d.running.length
    d.running = d.running.filter((r) => r.placementId !== placementId)
    return d.running.length < before
  }

  /** Removes a device (and with it its credential); returns the work it had. */
  remove(id: string): Running[] {
    const running = this.markLost(id)
    const d = this.get(id)
    this.#devices.delete(id)
    this.#byUrl.delete(d.url)
    return running
  }

  list(): Device[] { return [...this.#devices.values()] }
}
