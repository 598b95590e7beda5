/**
 * Learning curves as a standalone SVG image (no browser, no dependency), for reports committed to
 * a repository: panels side by side sharing one y axis, a line per series, and a band of ± one
 * standard deviation where a series has one (mean over seeds).
 */
export interface ChartPoint {
  x: number;
  y: number;
  /** Standard deviation over seeds: drawn as a band around the line. */
  std?: number;
}

export interface ChartSeries {
  label: string;
  colour: string;
  /** Stroke width: thin for training, bold for validation, as He et al.'s figures. */
  width: number;
  points: ChartPoint[];
}

export interface ChartPanel {
  title: string;
  series: ChartSeries[];
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  panels: ChartPanel[];
}

const PANEL_WIDTH = 420;
const PANEL_HEIGHT = 300;
const MARGIN = { top: 48, right: 20, bottom: 48, left: 64 };
const LEGEND_LINE = 18;

/** Colours that stay apart for readers with common colour-vision deficiencies (Okabe & Ito). */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

export function chartSvg(chart: Chart): string {
  const all = chart.panels.flatMap((p) => p.series.flatMap((s) => s.points));
  const xMax = Math.max(1, ...all.map((p) => p.x));
  const yMax = niceCeiling(Math.max(0.01, ...all.map((p) => p.y + (p.std ?? 0))));
  const legendRows = Math.max(...chart.panels.map((p) => p.series.length), 0);
  const width = chart.panels.length * (PANEL_WIDTH + MARGIN.left + MARGIN.right);
  const height = MARGIN.top + PANEL_HEIGHT + MARGIN.bottom + legendRows * LEGEND_LINE + 8;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="15" font-weight="bold">` +
      `${escape(chart.title)}</text>`,
  ];
  chart.panels.forEach((panel, i) => {
    const left = i * (PANEL_WIDTH + MARGIN.left + MARGIN.right) + MARGIN.left;
    parts.push(panelSvg(panel, left, { xMax, yMax, xLabel: chart.xLabel, yLabel: chart.yLabel }));
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function panelSvg(
  panel: ChartPanel,
  left: number,
  scale: { xMax: number; yMax: number; xLabel: string; yLabel: string },
): string {
  const top = MARGIN.top;
  const sx = (x: number) => left + (x / scale.xMax) * PANEL_WIDTH;
  const sy = (y: number) => top + PANEL_HEIGHT - (Math.max(0, y) / scale.yMax) * PANEL_HEIGHT;
  const out = [
    `<g class="panel">`,
    `<text x="${left + PANEL_WIDTH / 2}" y="${top - 10}" text-anchor="middle" font-weight="bold">` +
      `${escape(panel.title)}</text>`,
    `<rect x="${left}" y="${top}" width="${PANEL_WIDTH}" height="${PANEL_HEIGHT}" fill="none" stroke="#888888"/>`,
  ];
  for (let k = 0; k <= 5; k++) {
    const y = (scale.yMax * k) / 5;
    out.push(
      `<line x1="${left}" x2="${left + PANEL_WIDTH}" y1="${f(sy(y))}" y2="${f(sy(y))}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${f(sy(y) + 4)}" text-anchor="end">${formatTick(y)}</text>`,
    );
  }
  for (const x of xTicks(scale.xMax)) {
    out.push(`<text x="${f(sx(x))}" y="${top + PANEL_HEIGHT + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(
    `<text x="${left + PANEL_WIDTH / 2}" y="${top + PANEL_HEIGHT + 34}" text-anchor="middle">` +
      `${escape(scale.xLabel)}</text>`,
    `<text transform="translate(${left - 46} ${top + PANEL_HEIGHT / 2}) rotate(-90)" text-anchor="middle">` +
      `${escape(scale.yLabel)}</text>`,
  );
  for (const s of panel.series) {
    const banded = s.points.filter((p) => p.std !== undefined && p.std > 0);
    if (banded.length >= 2) {
      const upper = banded.map((p) => `${f(sx(p.x))},${f(sy(p.y + p.std!))}`);
      const lower = [...banded].reverse().map((p) => `${f(sx(p.x))},${f(sy(p.y - p.std!))}`);
      out.push(`<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${s.colour}" opacity="0.15"/>`);
    }
    const line = s.points.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(' ');
    out.push(
      `<polyline class="series" points="${line}" fill="none" stroke="${s.colour}" stroke-width="${s.width}">` +
        `<title>${escape(s.label)}</title></polyline>`,
    );
    // A one-epoch run is a single point, which a line does not show: mark it.
    if (s.points.length === 1) {
      const [p] = s.points as [ChartPoint];
      out.push(
        `<circle class="point" cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="${2 + s.width}" fill="${s.colour}">` +
          `<title>${escape(s.label)}</title></circle>`,
      );
    }
  }
  panel.series.forEach((s, row) => {
    const y = top + PANEL_HEIGHT + MARGIN.bottom + row * LEGEND_LINE;
    out.push(
      `<line x1="${left}" x2="${left + 24}" y1="${y}" y2="${y}" stroke="${s.colour}" stroke-width="${s.width}"/>`,
      `<text x="${left + 30}" y="${y + 4}">${escape(s.label)}</text>`,
    );
  });
  out.push('</g>');
  return out.join('\n');
}

/** Two decimals are enough on a 300-pixel panel and keep the files small. */
function f(v: number): string {
  return v.toFixed(2);
}

function formatTick(v: number): string {
  return v >= 10 ? v.toFixed(0) : v.toFixed(2);
}

function niceCeiling(v: number): number {
  const step = 10 ** Math.floor(Math.log10(v)) / 2;
  return Math.ceil(v / step) * step;
}

function xTicks(max: number): number[] {
  const step = Math.max(1, Math.ceil(max / 8));
  const ticks: number[] = [];
  for (let x = 0; x <= max; x += step) ticks.push(x);
  return ticks;
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
