// A small SVG line chart: one or more series over a shared x axis. By default each series has its
// own y range, drawn on a left (first series) and right (second series) axis; `sharedY` puts every
// series on one left axis (say mAP and an agreement, both 0..1). A point may carry an interval
// (low..high), drawn as a band behind its line; `guides` are horizontal reference lines.
const SVG = 'http://www.w3.org/2000/svg';

export interface Point {
  x: number;
  y: number;
  low?: number;
  high?: number;
}

export interface Series {
  name: string;
  color: string;
  points: Point[];
  // A fixed y range (say 0..1 for mAP), so that small differences do not look like big ones;
  // without it the series' own min and max.
  yRange?: [number, number];
  dashed?: boolean;
}

export interface Guide {
  y: number;
  color: string;
  label: string;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  xLabel?: string;
  sharedY?: boolean;
  guides?: Guide[];
}

function el(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function format(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}

// The y range of some series: their fixed ranges widened to every value (band ends included).
export function yExtent(series: readonly Series[]): [number, number] | null {
  const values = series.flatMap((s) =>
    s.points.flatMap((p) => [p.y, p.low ?? p.y, p.high ?? p.y]),
  );
  if (values.length === 0) return null;
  const fixed = series.flatMap((s) => (s.yRange ? [...s.yRange] : []));
  let min = Math.min(...values, ...fixed);
  let max = Math.max(...values, ...fixed);
  if (max - min < 1e-9) {
    min -= 0.5;
    max += 0.5;
  }
  return [min, max];
}

export function lineChart(series: Series[], options: ChartOptions = {}): SVGSVGElement {
  const { width = 280, height = 140, xLabel = 'epoch', sharedY = false, guides = [] } = options;
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    class: 'chart',
    role: 'img',
  }) as SVGSVGElement;
  const pad = { left: 38, right: sharedY ? 14 : 38, top: 10, bottom: 24 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  if (xs.length === 0) return svg;
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const sx = (x: number) =>
    pad.left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW);
  svg.append(
    el('rect', { x: pad.left, y: pad.top, width: plotW, height: plotH, class: 'chart-frame' }),
  );
  const shared = sharedY ? yExtent(series) : null;
  const scaleFor = (range: [number, number]) => (y: number) =>
    pad.top + plotH - ((y - range[0]) / (range[1] - range[0])) * plotH;

  const ticks = (range: [number, number], color: string, side: 'left' | 'right') => {
    const axisX = side === 'left' ? pad.left - 4 : width - pad.right + 4;
    const anchor = side === 'left' ? 'end' : 'start';
    for (const [value, y] of [
      [range[1], pad.top + 8],
      [range[0], pad.top + plotH],
    ] as const) {
      const text = el('text', { x: axisX, y, 'text-anchor': anchor, fill: color, class: 'chart-tick' });
      text.textContent = format(value);
      svg.append(text);
    }
  };
  if (shared) {
    ticks(shared, 'currentColor', 'left');
    const sy = scaleFor(shared);
    for (const guide of guides) {
      if (guide.y < shared[0] || guide.y > shared[1]) continue;
      svg.append(
        el('line', {
          x1: pad.left,
          x2: pad.left + plotW,
          y1: sy(guide.y),
          y2: sy(guide.y),
          stroke: guide.color,
          'stroke-dasharray': '2 3',
          class: 'chart-guide',
        }),
      );
      // At the left, where a rising curve rarely is yet.
      const text = el('text', {
        x: pad.left + 3,
        y: sy(guide.y) - 3,
        'text-anchor': 'start',
        fill: guide.color,
        class: 'chart-tick',
      });
      text.textContent = guide.label;
      svg.append(text);
    }
  }

  series.forEach((s, index) => {
    if (s.points.length === 0) return;
    const range = shared ?? yExtent([s]);
    if (!range) return;
    const sy = scaleFor(range);
    const group = el('g', { class: 'chart-series', 'data-series': s.name });
    const banded = s.points.filter((p) => p.low !== undefined && p.high !== undefined);
    if (banded.length > 0) {
      const upper = banded.map((p) => `${sx(p.x).toFixed(1)},${sy(p.high!).toFixed(1)}`);
      const lower = banded.map((p) => `${sx(p.x).toFixed(1)},${sy(p.low!).toFixed(1)}`).reverse();
      // A lone point's band is a vertical bar: a polygon needs some width to show.
      group.append(
        banded.length === 1
          ? el('line', {
              x1: sx(banded[0]!.x),
              x2: sx(banded[0]!.x),
              y1: sy(banded[0]!.high!),
              y2: sy(banded[0]!.low!),
              stroke: s.color,
              'stroke-opacity': 0.35,
              'stroke-width': 6,
              class: 'chart-band',
            })
          : el('polygon', {
              points: [...upper, ...lower].join(' '),
              fill: s.color,
              'fill-opacity': 0.18,
              class: 'chart-band',
            }),
      );
    }
    const d = s.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
      .join(' ');
    const line: Record<string, string | number> = { d, fill: 'none', stroke: s.color, 'stroke-width': 2 };
    if (s.dashed) line['stroke-dasharray'] = '5 3';
    group.append(el('path', line));
    for (const p of s.points) {
      group.append(
        el('circle', { cx: sx(p.x), cy: sy(p.y), r: 2.5, fill: s.color, 'data-x': p.x, 'data-y': p.y }),
      );
    }
    svg.append(group);
    if (!shared) ticks(range, s.color, index === 0 ? 'left' : 'right');
  });
  for (const [value, anchor] of [
    [xMin, 'start'],
    [xMax, 'end'],
  ] as const) {
    const text = el('text', {
      x: sx(value),
      y: height - 8,
      'text-anchor': anchor,
      class: 'chart-tick',
    });
    text.textContent = `${value}`;
    svg.append(text);
  }
  const caption = el('text', { x: width / 2, y: height - 8, 'text-anchor': 'middle', class: 'chart-tick' });
  caption.textContent = xLabel;
  svg.append(caption);
  return svg;
}
