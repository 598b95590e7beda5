/**
 * Chart data shaping, free of React and uPlot so that it is unit-tested on its own: experiments'
 * learning curves are grouped over seeds (mean ± std per epoch), thinned to what a chart can
 * show, split into plain and residual panels with one colour per depth (He et al. 2015, Fig. 4),
 * and aligned on one epoch axis for uPlot.
 */

export const SEED_AXIS = 'training.seed';
export const DEPTH_AXIS = 'architecture.depth';
export const FAMILY_AXIS = 'architecture.family';

export interface Point {
  epoch: number;
  value: number;
}

/** One experiment's curve of one metric, with what the chart needs to place it. */
export interface ExperimentCurve {
  experimentId: string;
  /** The grid point's axis values (as GET /v1/grids/:id/experiments gives them). */
  values: Record<string, unknown>;
  family: string;
  depth: number | null;
  points: Point[];
}

export interface BandPoint {
  epoch: number;
  mean: number;
  std: number;
  /** How many seeds reported this epoch (a live grid's seeds are not all at the same epoch). */
  n: number;
}

export interface SeedGroup {
  key: string;
  /** Axis values without the seed. */
  values: Record<string, unknown>;
  family: string;
  depth: number | null;
  experimentIds: string[];
  points: BandPoint[];
}

/** Mean and sample standard deviation (n - 1; 0 for one value), as the API's group statistics. */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: 0, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** A stable key of axis values without the seed: runs that differ only in seed share it. */
export function seedlessKey(values: Record<string, unknown>): string {
  const rest = Object.keys(values)
    .filter((k) => k !== SEED_AXIS)
    .sort()
    .map((k) => [k, values[k]]);
  return JSON.stringify(rest);
}

/** Groups curves that differ only in their seed; each epoch gets the mean ± std over the seeds that reached it. */
export function groupOverSeeds(curves: ExperimentCurve[]): SeedGroup[] {
  const groups = new Map<string, { first: ExperimentCurve; ids: string[]; byEpoch: Map<number, number[]> }>();
  for (const curve of curves) {
    const key = seedlessKey(curve.values);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { first: curve, ids: [], byEpoch: new Map() }));
    group.ids.push(curve.experimentId);
    for (const p of curve.points) {
      if (!Number.isFinite(p.value)) continue;
      const at = group.byEpoch.get(p.epoch);
      if (at) at.push(p.value);
      else group.byEpoch.set(p.epoch, [p.value]);
    }
  }
  return [...groups.entries()].map(([key, g]) => ({
    key,
    values: Object.fromEntries(Object.entries(g.first.values).filter(([k]) => k !== SEED_AXIS)),
    family: g.first.family,
    depth: g.first.depth,
    experimentIds: g.ids,
    points: [...g.byEpoch.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, vs]) => ({ epoch, ...meanStd(vs) })),
  }));
}

/**
 * At most `maxPoints` points: consecutive epochs are averaged in equal buckets (as the API's
 * /curves does), each bucket placed at its last epoch so that the newest epoch stays visible.
 */
export function downsample(points: BandPoint[], maxPoints: number): BandPoint[] {
  if (maxPoints < 1) throw new Error('maxPoints must be at least 1');
  if (points.length <= maxPoints) return points;
  const size = Math.ceil(points.length / maxPoints);
  const out: BandPoint[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push({
      epoch: bucket[bucket.length - 1]!.epoch,
      mean: bucket.reduce((s, p) => s + p.mean, 0) / bucket.length,
      std: bucket.reduce((s, p) => s + p.std, 0) / bucket.length,
      n: Math.min(...bucket.map((p) => p.n)),
    });
  }
  return out;
}

/** Residual families have shortcut connections (the paper's "ResNet"); the rest are plain. */
export function isResidual(family: string): boolean {
  return family === 'resnet' || family === 'cifar-resnet' || family === 'vgg16-skip';
}

/** Okabe–Ito colours (safe for colour-blind readers), darkened where a thin line on white would be faint. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#000000', '#8A6D00', '#3E8EC0', '#7A3E9D'];

/** "architecture.shortcutKernel" → "shortcutKernel": axis names short enough for a legend. */
export function shortAxis(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export type Split = 'train' | 'validation' | 'test';

export interface Line {
  id: string;
  label: string;
  colour: string;
  split: Split;
  /** Thin for training, bold for validation/test (the paper's Fig. 4 convention). */
  width: number;
  /** Shade mean ± std when more than one seed reported. */
  band: boolean;
  points: BandPoint[];
}

export interface Panel {
  title: string;
  lines: Line[];
}

export interface FigureInput {
  /** The same experiments' curves of the training metric and of the held-out metric. */
  train: ExperimentCurve[];
  heldOut: ExperimentCurve[];
  heldOutSplit: Exclude<Split, 'train'>;
  maxPoints: number;
}

/**
 * He et al. Fig. 4: plain nets beside residual nets, one colour per depth (or per group when
 * depth does not vary), thin training curves and bold validation curves, seeds as bands.
 */
export function buildFigure({ train, heldOut, heldOutSplit, maxPoints }: FigureInput): Panel[] {
  return figureOfGroups(groupOverSeeds(train), groupOverSeeds(heldOut), heldOutSplit, maxPoints);
}

/** The API's per-group series (`/curves?by=group`), as seed groups; `where` gives each group's family and depth. */
export function groupsFromSeries(
  series: { values: Record<string, unknown>; points: { epoch: number; value: number; std?: number; n?: number }[] }[],
  where: (key: string) => { family: string; depth: number | null } | undefined,
): SeedGroup[] {
  return series.flatMap((s) => {
    const key = seedlessKey(s.values);
    const at = where(key);
    if (!at) return [];
    const points = s.points.map((p) => ({ epoch: p.epoch, mean: p.value, std: p.std ?? 0, n: p.n ?? 1 }));
    return [{ key, values: s.values, family: at.family, depth: at.depth, experimentIds: [], points }];
  });
}

/** Fig. 4 from seed groups already formed (by groupOverSeeds, or by the API). */
export function figureOfGroups(
  trainGroups: SeedGroup[],
  heldGroups: SeedGroup[],
  heldOutSplit: Exclude<Split, 'train'>,
  maxPoints: number,
): Panel[] {
  const all = [...trainGroups, ...heldGroups];
  const depths = [...new Set(all.map((g) => g.depth).filter((d): d is number => d !== null))].sort((a, b) => a - b);
  const byDepth = depths.length > 1;
  const keys = [...new Set(all.map((g) => g.key))];
  // Axes that vary between groups name them in the legend; the family is the panel's title.
  const varying = varyingAxes(all.map((g) => g.values)).filter((a) => a !== FAMILY_AXIS);

  const colourOf = (g: SeedGroup) =>
    PALETTE[(byDepth && g.depth !== null ? depths.indexOf(g.depth) : keys.indexOf(g.key)) % PALETTE.length]!;
  const labelOf = (g: SeedGroup) => {
    const parts = varying.map((a) => `${shortAxis(a)} ${formatValue(g.values[a])}`);
    return parts.length ? `${g.family} ${parts.join(', ')}` : g.family;
  };
  const lineOf = (g: SeedGroup, split: Split): Line => ({
    id: `${g.key}|${split}`,
    label: `${labelOf(g)} (${split})`,
    colour: colourOf(g),
    split,
    width: split === 'train' ? 1 : 2.5,
    band: g.points.some((p) => p.n > 1),
    points: downsample(g.points, maxPoints),
  });

  const panels = new Map<string, Line[]>();
  const add = (g: SeedGroup, split: Split) => {
    const title = isResidual(g.family) ? 'Residual networks' : 'Plain networks';
    (panels.get(title) ?? panels.set(title, []).get(title)!).push(lineOf(g, split));
  };
  // Ordered by depth so that the legend reads shallow to deep, training before validation.
  const order = (a: SeedGroup, b: SeedGroup) => (a.depth ?? 0) - (b.depth ?? 0) || a.key.localeCompare(b.key);
  for (const g of [...trainGroups].sort(order)) add(g, 'train');
  for (const g of [...heldGroups].sort(order)) add(g, heldOutSplit);
  return ['Plain networks', 'Residual networks']
    .filter((t) => panels.has(t))
    .map((title) => ({ title, lines: panels.get(title)! }));
}

/** Axis paths whose values are not the same in every entry. */
export function varyingAxes(entries: Record<string, unknown>[]): string[] {
  const paths = [...new Set(entries.flatMap((e) => Object.keys(e)))].sort();
  return paths.filter((p) => new Set(entries.map((e) => JSON.stringify(e[p] ?? null))).size > 1);
}

/**
 * uPlot's data layout: one shared x array (every epoch any line has) and, per line, its mean and,
 * for banded lines, mean - std and mean + std; null where a line has no point at that epoch.
 */
export function alignLines(lines: Line[]): {
  x: number[];
  series: { mean: (number | null)[]; lower: (number | null)[]; upper: (number | null)[] }[];
} {
  const x = [...new Set(lines.flatMap((l) => l.points.map((p) => p.epoch)))].sort((a, b) => a - b);
  const index = new Map(x.map((e, i) => [e, i]));
  const series = lines.map((line) => {
    const mean = new Array<number | null>(x.length).fill(null);
    const lower = new Array<number | null>(x.length).fill(null);
    const upper = new Array<number | null>(x.length).fill(null);
    for (const p of line.points) {
      const i = index.get(p.epoch)!;
      mean[i] = p.mean;
      lower[i] = p.mean - p.std;
      upper[i] = p.mean + p.std;
    }
    return { mean, lower, upper };
  });
  return { x, series };
}
