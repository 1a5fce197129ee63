/**
 * Route modules that `edgemime daemon` (and so `npm start`) mounts next to the built-in API,
 * e.g. the orchestrator's workload execution and its embedded scheduler. Like the CLI's
 * COMMANDS registry: add one line per module; each is loaded lazily at start.
 * @module
 */
import type { ExtraRoutes } from './app.js'

export interface DaemonExtension {
  name: string
  load: () => Promise<{ routes: ExtraRoutes }>
}

export const EXTENSIONS: DaemonExtension[] = [
  { name: 'orchestrator', load: async () => ({ routes: (await import('../orchestrator/daemon-routes.js')).routes }) },
]

/** Loads every extension and returns one ExtraRoutes that mounts them in order. */
export async function loadExtensions(list: DaemonExtension[] = EXTENSIONS): Promise<ExtraRoutes | undefined> {
  if (list.length === 0) return undefined
  const loaded = await Promise.all(list.map(async (e) => ({ name: e.name, routes: (await e.load()).routes })))
  return (app, ctx) => { for (const e of loaded) e.routes(app, ctx) }
}
