import { run } from '../../cli/ctl.js'

/** Runs `edgemime ctl ...` in this process and returns its exit code and stdout. */
export async function ctl(...argv: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout)
  let out = ''
  process.stdout.write = ((chunk: string | Uint8Array) => { out += String(chunk); return true }) as typeof process.stdout.write
  try {
    return { code: await run(argv), out }
  } finally {
    process.stdout.write = write
  }
}
