#!/usr/bin/env node
/**
 * `edgemime` entry: dispatches to one module per command group. Each module exports
 * `run(argv)` and returns the exit code; errors with a message become exit code 2.
 * @module
 */
import { EdgemimeError } from '../common/errors.js'

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }

const COMMANDS: Record<string, Command> = {
  generator: { summary: 'trace-to-composition generator: collect | train | align | eval', load: () => import('./generator.js') },
  generate: { summary: 'generate a stressor composition from a trace (diffusion | guided | search | interpolate | single)', load: () => import('./generate.js') },
  ctl: { summary: 'talk to a daemon over HTTP: replay start/stop/status/watch, profiles, traces, device', load: () => import('./ctl.js') },
  daemon: { summary: 'run the device daemon (HTTP API, npm start); daemon token: new API token', load: () => import('./daemon.js') },
  trace: { summary: 'record, plot and print resource-usage traces; device fingerprint', load: () => import('./trace.js') },
  dtw: { summary: 'normalised DTW between two traces (per metric and mean)', load: () => import('./dtw.js') },
  replay: { summary: 'replay a stressor composition in the foreground and print the timing report', load: () => import('./replay.js') },
  stressors: { summary: 'list the stressor catalog with parameters (sized from this device)', load: () => import('./stressors.js') },
  predictor: { summary: 'runtime predictor with conformal bounds: eval | train | test | predict | update', load: () => import('./predictor.js') },
  orchestrator: { summary: 'fleet orchestrator: run | agent (daemon that runs placed workloads) | submit', load: () => import('./orchestrator.js') },
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`)
  return `usage: edgemime <command> [options]\n\ncommands:\n${lines.join('\n')}\n`
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage())
    return name ? 0 : 1
  }
  const command = COMMANDS[name]
  if (!command) {
    process.stderr.write(`edgemime: unknown command '${name}'\n\n${usage()}`)
    return 2
  }
  // Every group prints its usage (subcommands included) for a leading --help; a later one
  // (`generator train --help`) would otherwise be an unknown option. Arguments after `--` belong
  // to a wrapped command (`trace record -- CMD -h`).
  const end = rest.indexOf('--')
  const own = end < 0 ? rest : rest.slice(0, end)
  const help = own.some((a) => a === '--help' || a === '-h')
  return (await command.load()).run(help ? ['--help'] : rest)
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    if (err instanceof EdgemimeError || (err instanceof Error && err.name === 'TypeError' && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`edgemime: ${err.message}\n`)
      process.exitCode = 2
    } else {
      process.stderr.write(`edgemime: internal error: ${err instanceof Error ? err.stack : String(err)}\n`)
      process.exitCode = 70
    }
  },
)
