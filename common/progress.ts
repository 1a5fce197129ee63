/**
 * Progress for long CLI work: a bar on a terminal (cli-progress), one plain line per step
 * otherwise (logs, CI), always on stderr so stdout stays clean for --json output.
 */
import cliProgress from 'cli-progress'

export interface Progress {
  update(done: number, info?: string): void
  stop(): void
}

export function progressBar(label: string, total: number, enabled = true): Progress {
  if (!enabled) return { update() {}, stop() {} }
  if (!process.stderr.isTTY) {
    let lastPrinted = -1
    return {
      update(done, info) {
        const pct = Math.floor((100 * done) / Math.max(1, total))
        // One line per 10% keeps logs readable for thousands of steps.
        if (pct >= lastPrinted + 10 || done === total) {
          lastPrinted = pct
          process.stderr.write(`${label}: ${done}/${total}${info ? ` ${info}` : ''}\n`)
        }
      },
      stop() {},
    }
  }
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {value}/{total} {info}`,
    stream: process.stderr,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic)
  bar.start(total, 0, { info: '' })
  return {
    update(done, info) { bar.update(done, { info: info ?? '' }) },
    stop() { bar.stop() },
  }
}
