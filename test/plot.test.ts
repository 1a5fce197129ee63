import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { chartSvg, formatTick, niceTicks, svgToPng, writeChart } from '../common/plot.js'
import { tempDir } from './helpers/temp-dir.js'

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length

t.test('ticks are round and cover the range', async (t) => {
  t.same(niceTicks(0, 100), [0, 20, 40, 60, 80, 100])
  t.same(niceTicks(0.3, 1.1, 4), [0.4, 0.6, 0.8, 1])
  t.same(niceTicks(-5, 5, 2), [-5, 0, 5])
  t.same(niceTicks(3, 3), [3])
  t.equal(formatTick(1_500_000), '1.5M')
  t.equal(formatTick(20_000), '20k')
  t.equal(formatTick(0.25), '0.25')
  t.equal(formatTick(3e9), '3G')
})

t.test('lines map data to the plot area; overlays, bands, stacks and points render', async (t) => {
  const svg = chartSvg([
    {
      title: 'cpu <0>', yLabel: '%', yMin: 0, yMax: 100,
      series: [{ name: 'a', x: [0, 10], y: [0, 100] }, { name: 'b', x: [0, 10], y: [50, 50], dashed: true }],
      bands: [{ name: 'bound', x: [0, 10], lo: [10, 10], hi: [20, 30] }],
    },
    { stacked: [{ name: 's1', x: [0, 5, 10], y: [1, 2, 3] }, { name: 's2', x: [0, 5, 10], y: [1, 1, 1] }], scatter: [{ name: 'p', x: [1, 2], y: [1, 2] }] },
  ], { title: 'T & U', xLabel: 'time (s)', width: 600, panelHeight: 100 })
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="600"/)
  t.match(svg, /T &amp; U/, 'text is escaped')
  t.match(svg, /cpu &lt;0&gt;/)
  t.equal(count(svg, /<polyline /g), 2)
  t.equal(count(svg, /stroke-dasharray="5 3"/g), 1, 'one dashed overlay')
  t.equal(count(svg, /<polygon /g), 3, 'one band + two stacked layers')
  t.equal(count(svg, /<circle /g), 2)
  // plot area: left 70, right 20 => x in [70, 580]; first panel y in [40, 140]
  t.match(svg, /<polyline points="70,140 580,40"/, 'a (0,0)->(10,100) spans the panel corner to corner')
  // the stack's top layer reaches 4 at x = 10, the panel's max
  const top = /<polygon points="([^"]+)" fill="#f28e2b" fill-opacity="0.8"/.exec(svg)
  t.ok(top, 'second stacked layer drawn')
  t.match(top![1]!, /^70,\d+(\.\d+)? 325,\d+(\.\d+)? 580,190 /, 'cumulative top at the panel top (y = 190)')
  t.equal(count(svg, /<text[^>]*>(a|b|bound|s1|s2|p)<\/text>/g), 6, 'legend names every series')
})

t.test('bad input is refused with clear errors', async (t) => {
  t.throws(() => chartSvg([]), { code: 'EM_INVALID_INPUT', message: /no panels/ })
  t.throws(() => chartSvg([{ series: [{ name: 'x', x: [1, 2], y: [1] }] }]), { message: /series 'x' has arrays of unequal length/ })
  t.throws(() => writeChart('<svg/>', '/tmp/x.jpg'), { message: /must end in .svg or .png/ })
})

t.test('PNG through resvg, SVG by extension', async (t) => {
  const svg = chartSvg([{ series: [{ name: 'a', x: [0, 1, 2], y: [1, 3, 2] }] }], { width: 400, panelHeight: 80 })
  const png = svgToPng(svg)
  t.same([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG')
  t.equal(png.readUInt32BE(16), 400, 'width from the SVG')
  t.equal(svgToPng(svg, { width: 800 }).readUInt32BE(16), 800, 'scaled')
  const dir = tempDir(t, 'em-plot-')
  writeChart(svg, join(dir, 'deep/a.svg'))
  writeChart(svg, join(dir, 'a.png'))
  t.equal(readFileSync(join(dir, 'deep/a.svg'), 'utf8'), svg)
  t.equal(readFileSync(join(dir, 'a.png')).readUInt32BE(16), 400)
})
