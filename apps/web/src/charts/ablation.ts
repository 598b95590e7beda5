/**
 * A metric against the grid's axes, from the summary's seed groups (mean ± std over seeds, n):
 * the ablation chart (one axis on x, error bars), the heatmap (two axes) and parallel
 * coordinates (all axes that vary). Pure, so it is unit-tested without a browser.
 */
import type { Summary } from '../api/types';
import { formatValue, SEED_AXIS, varyingAxes } from './shape';

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

/** One seed group with its statistic of the chosen metric. */
export interface GroupStat {
  group: string;
  /** Axis values without the seed. */
  values: Record<string, unknown>;
  stat: Stat;
}

export type Statistic = 'final' | 'best';

/**
 * The groups that have a value of `metricKey` (e.g. `validation.error`), keeping only those whose
 * axis values match `filters` (axis path → formatted value, the table's filters).
 */
export function groupStats(
  summary: Summary | undefined,
  metricKey: string,
  statistic: Statistic,
  filters: Record<string, string> = {},
): GroupStat[] {
  const out: GroupStat[] = [];
  for (const g of summary?.groups ?? []) {
    const stat = g[statistic][metricKey];
    if (!stat || !Number.isFinite(stat.mean)) continue;
    const keep = Object.entries(filters).every(
      ([axis, value]) => axis === SEED_AXIS || formatValue(g.values[axis]) === value,
    );
    if (keep) out.push({ group: g.group, values: g.values, stat });
  }
  return out;
}

/** Axes (never the seed) whose value differs between groups: the ones worth plotting against. */
export function ablationAxes(stats: GroupStat[]): string[] {
  return varyingAxes(stats.map((s) => s.values)).filter((a) => a !== SEED_AXIS);
}

/** An axis's distinct values in display order: numbers ascending, everything else by its text. */
export function axisValues(stats: GroupStat[], axis: string): unknown[] {
  const seen = new Map<string, unknown>();
  for (const s of stats) seen.set(JSON.stringify(s.values[axis] ?? null), s.values[axis] ?? null);
  return [...seen.values()].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : formatValue(a).localeCompare(formatValue(b)),
  );
}

/** Mean of means, for cells several groups fall into; std is the spread of those means. */
function pool(stats: Stat[]): Stat {
  if (stats.length === 1) return stats[0]!;
  const mean = stats.reduce((s, x) => s + x.mean, 0) / stats.length;
  const variance = stats.reduce((s, x) => s + (x.mean - mean) ** 2, 0) / (stats.length - 1);
  return { mean, std: Math.sqrt(variance), n: stats.reduce((s, x) => s + x.n, 0) };
}

export interface AblationPoint extends Stat {
  /** Position on the x axis: the value's index in `xs`. */
  at: number;
  x: unknown;
}

export interface AblationSeries {
  key: string;
  /** The other varying axes' values, e.g. "family cifar-resnet"; empty when only x varies. */
  label: string;
  points: AblationPoint[];
}

export interface Ablation {
  axis: string;
  xs: unknown[];
  series: AblationSeries[];
}

/** The metric against `axis`: one series per combination of the other varying axes. */
export function ablation(stats: GroupStat[], axis: string): Ablation {
  const xs = axisValues(stats, axis);
  const others = ablationAxes(stats).filter((a) => a !== axis);
  const byKey = new Map<string, { label: string; at: Map<number, Stat[]> }>();
  for (const s of stats) {
    const key = JSON.stringify(others.map((a) => s.values[a] ?? null));
    const label = others.map((a) => `${shortName(a)} ${formatValue(s.values[a])}`).join(', ');
    let series = byKey.get(key);
    if (!series) byKey.set(key, (series = { label, at: new Map() }));
    const at = xs.findIndex((x) => JSON.stringify(x) === JSON.stringify(s.values[axis] ?? null));
    series.at.set(at, [...(series.at.get(at) ?? []), s.stat]);
  }
  const series = [...byKey.entries()]
    .sort((a, b) => a[1].label.localeCompare(b[1].label))
    .map(([key, s]) => ({
      key,
      label: s.label,
      points: [...s.at.entries()].sort((a, b) => a[0] - b[0]).map(([at, list]) => ({ at, x: xs[at], ...pool(list) })),
    }));
  return { axis, xs, series };
}

export interface Heatmap {
  xAxis: string;
  yAxis: string;
  xs: unknown[];
  ys: unknown[];
  /** cells[row = y][column = x]; null where no group has those values. */
  cells: (Stat | null)[][];
  /** Some cell pools groups that differ in a third axis (its mean is the mean of their means). */
  pooled: boolean;
  min: number;
  max: number;
}

export function heatmap(stats: GroupStat[], xAxis: string, yAxis: string): Heatmap {
  const xs = axisValues(stats, xAxis);
  const ys = axisValues(stats, yAxis);
  const bins: Stat[][][] = ys.map(() => xs.map(() => []));
  const index = (list: unknown[], v: unknown) => list.findIndex((x) => JSON.stringify(x) === JSON.stringify(v ?? null));
  for (const s of stats) bins[index(ys, s.values[yAxis])]![index(xs, s.values[xAxis])]!.push(s.stat);
  const cells = bins.map((row) => row.map((bin) => (bin.length ? pool(bin) : null)));
  const means = cells.flat().flatMap((c) => (c ? [c.mean] : []));
  return {
    xAxis,
    yAxis,
    xs,
    ys,
    cells,
    pooled: bins.some((row) => row.some((bin) => bin.length > 1)),
    min: Math.min(...means),
    max: Math.max(...means),
  };
}

export interface ParallelDimension {
  axis: string;
  values: unknown[];
}

export interface ParallelLine {
  group: string;
  /** Per dimension, the value's position in [0, 1] (categories evenly spaced, in axisValues order). */
  positions: number[];
  stat: Stat;
}

/** One polyline per group through every varying axis, ending at the metric (scaled to its range). */
export function parallelCoordinates(
  stats: GroupStat[],
  axes: string[],
): { dimensions: ParallelDimension[]; lines: ParallelLine[]; min: number; max: number } {
  const dimensions = axes.map((axis) => ({ axis, values: axisValues(stats, axis) }));
  const means = stats.map((s) => s.stat.mean);
  const min = Math.min(...means);
  const max = Math.max(...means);
  const lines = stats.map((s) => ({
    group: s.group,
    stat: s.stat,
    positions: [
      ...dimensions.map(({ axis, values }) => {
        const i = values.findIndex((v) => JSON.stringify(v) === JSON.stringify(s.values[axis] ?? null));
        return values.length > 1 ? i / (values.length - 1) : 0.5;
      }),
      max > min ? (s.stat.mean - min) / (max - min) : 0.5,
    ],
  }));
  return { dimensions, lines, min, max };
}

function shortName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}
