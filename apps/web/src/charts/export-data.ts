/**
 * Every chart's data as CSV: the numbers behind the picture, one row per plotted point, so a
 * figure can be redrawn elsewhere. Pure; the download itself is in export-file.ts.
 */
import type { Ablation, Heatmap, ParallelDimension, ParallelLine } from './ablation';
import { formatValue, shortAxis, type Line } from './shape';

type Cell = string | number | null | undefined;

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
export function toCsv(header: string[], rows: Cell[][]): string {
  const field = (v: Cell) => {
    const s = v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

export function curvesCsv(lines: Line[]): string {
  return toCsv(
    ['series', 'split', 'epoch', 'mean', 'std', 'n'],
    lines.flatMap((l) => l.points.map((p) => [l.label, l.split, p.epoch, p.mean, p.std, p.n])),
  );
}

export function ablationCsv(a: Ablation, metric: string): string {
  return toCsv(
    ['series', shortAxis(a.axis), `${metric} mean`, `${metric} std`, 'n'],
    a.series.flatMap((s) => s.points.map((p) => [s.label, formatValue(p.x), p.mean, p.std, p.n])),
  );
}

export function heatmapCsv(h: Heatmap, metric: string): string {
  const rows: Cell[][] = [];
  h.ys.forEach((y, r) =>
    h.xs.forEach((x, c) => {
      const cell = h.cells[r]![c];
      if (cell) rows.push([formatValue(x), formatValue(y), cell.mean, cell.std, cell.n]);
    }),
  );
  return toCsv([shortAxis(h.xAxis), shortAxis(h.yAxis), `${metric} mean`, `${metric} std`, 'n'], rows);
}

export function parallelCsv(dimensions: ParallelDimension[], lines: ParallelLine[], metric: string): string {
  return toCsv(
    [...dimensions.map((d) => shortAxis(d.axis)), `${metric} mean`, `${metric} std`, 'n'],
    lines.map((l) => [
      ...dimensions.map((d, i) => {
        const at = l.positions[i]!;
        const index = d.values.length > 1 ? Math.round(at * (d.values.length - 1)) : 0;
        return formatValue(d.values[index]);
      }),
      l.stat.mean,
      l.stat.std,
      l.stat.n,
    ]),
  );
}

/** A file name from a chart title: "Residual networks" → "residual-networks". */
export function fileStem(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'chart'
  );
}
