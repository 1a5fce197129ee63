/**
 * The project's one plotting module: stacked panels sharing an x axis, each with lines, stacked
 * areas, shaded bands (e.g. conformal bounds) and scatter points, as standalone SVG; PNG through
 * @resvg/resvg-js. Hand-written SVG keeps it dependency-free and byte-stable for tests.
 * @example
 * const svg = chartSvg([{ title: 'CPU', yLabel: '%', series: [{ name: 'core 0', x: t, y: u }] }], { xLabel: 'time (s)' })
 * writeChart(svg, 'cpu.png')
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, extname } from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import { InvalidInputError } from './errors.js'

/** One named series of points; x and y have equal lengths. */
export interface Series {
  name: string
  x: ArrayLike<number>
  y: ArrayLike<number>
  color?: string
  /** Dashed stroke, e.g. for the second trace of an overlay. */
  dashed?: boolean
}

/** A shaded area between lo and hi (a bound, an interval). */
export interface Band {
  name: string
  x: ArrayLike<number>
  lo: ArrayLike<number>
  hi: ArrayLike<number>
  color?: string
}

/** One panel (its own y axis); all panels of a chart share the x range. */
export interface Panel {
  title?: string
  yLabel?: string
  /** Lines. */
  series?: Series[]
  /** Areas stacked bottom-up in the given order (values ≥ 0; the x of the first is used). */
  stacked?: Series[]
  bands?: Band[]
  /** Points without lines (e.g. predicted vs measured). */
  scatter?: Series[]
  /** Fixed y range; default from the data (and 0 included for stacked areas). */
  yMin?: number
  yMax?: number
}

export interface ChartOptions {
  title?: string
  xLabel?: string
  /** Width in px (default 900). */
  width?: number
  /** Height of each panel's plot area in px (default 160). */
  panelHeight?: number
}

/** Tableau 10: distinguishable, colour-blind friendly enough for a handful of series. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const r2 = (v: number) => Math.round(v * 100) / 100

/** Round tick values (1, 2, 5 × 10^k) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag
  const ticks: number[] = []
  // Integer multiples, rounded, so 0.1 steps do not print as 0.30000000000000004.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)))
  return ticks
}

/** Compact tick label: 1.5k, 20M, 0.25. */
export function formatTick(v: number): string {
  const a = Math.abs(v)
  for (const [s, d] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (a >= d) return `${Number((v / d).toPrecision(3))}${s}`
  return String(Number(v.toPrecision(3)))
}

function checkLengths(name: string, ...arrays: ArrayLike<number>[]): void {
  if (arrays.some((a) => a.length !== arrays[0]!.length)) throw new InvalidInputError(`plot: series '${name}' has arrays of unequal length`)
}

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v) }
  return [lo, hi]
}

/** Running sums of the stacked series (bottom-up), one array per layer. */
function stackTops(stacked: Series[]): Float64Array[] {
  const n = stacked[0]?.y.length ?? 0
  const acc = new Float64Array(n)
  return stacked.map((s) => {
    checkLengths(s.name, s.x, s.y, acc)
    for (let i = 0; i < n; i++) acc[i]! += s.y[i]!
    return Float64Array.from(acc)
  })
}

/**
 * Renders panels as one SVG document.
 * @throws InvalidInputError for no panels or series with unequal x/y lengths.
 */
export function chartSvg(panels: Panel[], { title, xLabel, width = 900, panelHeight = 160 }: ChartOptions = {}): string {
  if (panels.length === 0) throw new InvalidInputError('plot: no panels')
  const left = 70
  const right = 20
  const top = title ? 40 : 15
  const gap = 50
  const bottom = 45
  const plotW = width - left - right
  const height = top + panels.length * (panelHeight + gap) - gap + bottom
  const allX = panels.flatMap((p) => [...(p.series ?? []), ...(p.stacked ?? []), ...(p.scatter ?? []), ...(p.bands ?? [])].map((s) => s.x))
  let [x0, x1] = extent(allX.flatMap((x) => Array.from(x)))
  if (!Number.isFinite(x0)) { x0 = 0; x1 = 1 }
  if (x1 === x0) x1 = x0 + 1
  const sx = (v: number) => r2(left + ((v - x0) / (x1 - x0)) * plotW)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ]
  if (title) out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`)
  panels.forEach((p, pi) => {
    const py = top + pi * (panelHeight + gap)
    const tops = stackTops(p.stacked ?? [])
    const ys: number[][] = [
      ...(p.series ?? []).map((s) => { checkLengths(s.name, s.x, s.y); return Array.from(s.y) }),
      ...(p.scatter ?? []).map((s) => { checkLengths(s.name, s.x, s.y); return Array.from(s.y) }),
      ...(p.bands ?? []).flatMap((b) => { checkLengths(b.name, b.x, b.lo, b.hi); return [Array.from(b.lo), Array.from(b.hi)] }),
      ...tops.map((t) => Array.from(t)),
      ...(tops.length ? [[0]] : []),
    ]
    let [y0, y1] = extent(ys.flat())
    if (!Number.isFinite(y0)) { y0 = 0; y1 = 1 }
    y0 = p.yMin ?? y0
    y1 = p.yMax ?? y1
    if (y1 <= y0) y1 = y0 + 1
    const sy = (v: number) => r2(py + panelHeight - ((v - y0) / (y1 - y0)) * panelHeight)
    out.push(`<g>`, `<rect x="${left}" y="${py}" width="${plotW}" height="${panelHeight}" fill="none" stroke="#999"/>`)
    for (const t of niceTicks(y0, y1)) {
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`,
        `<text x="${left - 5}" y="${sy(t) + 4}" text-anchor="end">${formatTick(t)}</text>`)
    }
    for (const t of niceTicks(x0, x1, 8)) out.push(`<text x="${sx(t)}" y="${py + panelHeight + 14}" text-anchor="middle">${formatTick(t)}</text>`)
    if (p.title) out.push(`<text x="${left}" y="${py - 6}" font-weight="bold">${esc(p.title)}</text>`)
    if (p.yLabel) out.push(`<text transform="translate(14 ${py + panelHeight / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`)
    const legend: [string, string, 'fill' | 'line' | 'dash'][] = []
    let ci = 0
    const color = (c?: string) => c ?? PALETTE[ci++ % PALETTE.length]!
    for (const b of p.bands ?? []) {
      const c = color(b.color)
      const upper = Array.from(b.x, (x, i) => `${sx(x)},${sy(b.hi[i]!)}`)
      const lower = Array.from(b.x, (x, i) => `${sx(x)},${sy(b.lo[i]!)}`).reverse()
      out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${c}" fill-opacity="0.25" stroke="none"/>`)
      legend.push([b.name, c, 'fill'])
    }
    ;(p.stacked ?? []).forEach((s, k) => {
      const c = color(s.color)
      const below = k > 0 ? tops[k - 1]! : new Float64Array(s.y.length)
      const upper = Array.from(s.x, (x, i) => `${sx(x)},${sy(tops[k]![i]!)}`)
      const lower = Array.from(s.x, (x, i) => `${sx(x)},${sy(below[i]!)}`).reverse()
      out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${c}" fill-opacity="0.8" stroke="none"/>`)
      legend.push([s.name, c, 'fill'])
    })
    for (const s of p.series ?? []) {
      const c = color(s.color)
      const pts = Array.from(s.x, (x, i) => `${sx(x)},${sy(s.y[i]!)}`).join(' ')
      out.push(`<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`)
      legend.push([s.name, c, s.dashed ? 'dash' : 'line'])
    }
    for (const s of p.scatter ?? []) {
      const c = color(s.color)
      for (let i = 0; i < s.x.length; i++) out.push(`<circle cx="${sx(s.x[i]!)}" cy="${sy(s.y[i]!)}" r="2.5" fill="${c}" fill-opacity="0.7"/>`)
      legend.push([s.name, c, 'fill'])
    }
    let lx = left + plotW
    for (const [name, c, kind] of legend.reverse()) {
      lx -= 26 + name.length * 6.5
      out.push(kind === 'fill'
        ? `<rect x="${r2(lx)}" y="${py - 14}" width="14" height="10" fill="${c}"/>`
        : `<line x1="${r2(lx)}" x2="${r2(lx + 14)}" y1="${py - 9}" y2="${py - 9}" stroke="${c}" stroke-width="2"${kind === 'dash' ? ' stroke-dasharray="4 2"' : ''}/>`)
      out.push(`<text x="${r2(lx + 18)}" y="${py - 5}">${esc(name)}</text>`)
    }
    out.push('</g>')
  })
  if (xLabel) out.push(`<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle">${esc(xLabel)}</text>`)
  out.push('</svg>')
  return out.join('\n') + '\n'
}

/** Rasterises an SVG to PNG (system fonts, DejaVu Sans by default). */
export function svgToPng(svg: string, { width }: { width?: number } = {}): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: width ? { mode: 'width', value: width } : { mode: 'original' },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
  return resvg.render().asPng()
}

/**
 * Writes a chart to `path` as SVG or PNG, chosen by the extension.
 * @throws InvalidInputError for any other extension.
 */
export function writeChart(svg: string, path: string): void {
  const ext = extname(path).toLowerCase()
  if (ext !== '.svg' && ext !== '.png') throw new InvalidInputError(`plot output must end in .svg or .png, got '${path}'`)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, ext === '.svg' ? svg : svgToPng(svg))
}
