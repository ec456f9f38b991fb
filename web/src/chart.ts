// A small SVG line chart: one or more series over a shared x axis, each with its own y range
// drawn on a left (first series) and right (second series) axis.
const SVG = 'http://www.w3.org/2000/svg';

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  // A fixed y range (say 0..1 for mAP), so that small differences do not look like big ones;
  // without it the series' own min and max.
  yRange?: [number, number];
}

function el(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function format(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}

export function lineChart(
  series: Series[],
  width = 280,
  height = 140,
  xLabel = 'epoch',
): SVGSVGElement {
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    class: 'chart',
    role: 'img',
  }) as SVGSVGElement;
  const pad = { left: 38, right: 38, top: 10, bottom: 24 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  if (xs.length === 0) return svg;
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const sx = (x: number) => pad.left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW);
  svg.append(
    el('rect', { x: pad.left, y: pad.top, width: plotW, height: plotH, class: 'chart-frame' }),
  );
  series.forEach((s, index) => {
    if (s.points.length === 0) return;
    const ys = s.points.map((p) => p.y);
    let yMin = s.yRange ? Math.min(s.yRange[0], ...ys) : Math.min(...ys);
    let yMax = s.yRange ? Math.max(s.yRange[1], ...ys) : Math.max(...ys);
    if (yMax - yMin < 1e-9) {
      yMin -= 0.5;
      yMax += 0.5;
    }
    const sy = (y: number) => pad.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;
    const d = s.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
      .join(' ');
    svg.append(el('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2 }));
    for (const p of s.points) {
      svg.append(el('circle', { cx: sx(p.x), cy: sy(p.y), r: 2.5, fill: s.color }));
    }
    const axisX = index === 0 ? pad.left - 4 : width - pad.right + 4;
    const anchor = index === 0 ? 'end' : 'start';
    for (const [value, y] of [
      [yMax, pad.top + 8],
      [yMin, pad.top + plotH],
    ] as const) {
      const text = el('text', { x: axisX, y, 'text-anchor': anchor, fill: s.color, class: 'chart-tick' });
      text.textContent = format(value);
      svg.append(text);
    }
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
