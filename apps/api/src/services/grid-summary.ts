import type { GridMemberRow, MetricSummaryRow } from '@resnet-lab/db';
import { canonicalJson, type GridSummary } from '@resnet-lab/spec';

/**
 * Pure aggregation of a grid's results: per experiment the final and best value of every metric,
 * per group (every axis but the seed) mean, sample standard deviation and n, and the ResNet
 * paper's degradation check. Inputs are the few trigger-maintained summary rows per experiment,
 * so this stays linear in experiments x metrics, never in epochs.
 */
type Stat = { mean: number; std: number; n: number };

const RESIDUAL = new Set(['resnet', 'cifar-resnet']);
const PLAIN = new Set(['plain', 'cifar-plain']);

/** Which direction is better for a metric, or null when "best" means nothing (learning rate, timings). */
export function betterDirection(name: string): 'min' | 'max' | null {
  if (/accuracy/.test(name)) return 'max';
  if (/error|loss/.test(name)) return 'min';
  return null;
}

export function stat(values: number[]): Stat {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

export function metricsByExperiment(rows: MetricSummaryRow[]) {
  const out = new Map<string, { final: Record<string, number>; best: Record<string, number>; epochs: number }>();
  for (const row of rows) {
    let entry = out.get(row.experimentId);
    if (!entry) out.set(row.experimentId, (entry = { final: {}, best: {}, epochs: 0 }));
    const key = `${row.split}.${row.name}`;
    entry.final[key] = row.lastValue;
    const direction = betterDirection(row.name);
    if (direction) entry.best[key] = direction === 'min' ? row.minValue : row.maxValue;
    entry.epochs = Math.max(entry.epochs, row.lastEpoch);
  }
  return out;
}

export function buildSummary(
  gridId: string,
  axes: string[],
  members: GridMemberRow[],
  rows: MetricSummaryRow[],
  options: { includeStopped?: boolean } = {},
): GridSummary {
  const metrics = metricsByExperiment(rows);
  const experiments = members.map((m) => {
    const found = metrics.get(m.experimentId);
    return {
      experimentId: m.experimentId,
      index: m.index,
      values: m.point,
      group: m.groupKey,
      status: m.status,
      backend: m.backend,
      epochs: found?.epochs ?? 0,
      final: found?.final ?? {},
      best: found?.best ?? {},
      predictedSeconds: m.predictedSeconds,
      actualSeconds: m.actualSeconds,
    };
  });

  const byGroup = new Map<string, typeof experiments>();
  for (const e of experiments) {
    const list = byGroup.get(e.group);
    if (list) list.push(e);
    else byGroup.set(e.group, [e]);
  }
  const familyOf = new Map(members.map((m) => [m.experimentId, m] as const));
  const groups = [...byGroup.entries()].map(([group, list]) => {
    // Only finished runs enter the statistics: a half-trained network's error is not a result.
    // Runs stopped early are counted apart, and enter only when asked.
    const done = list.filter((e) => e.status === 'succeeded' || (options.includeStopped && e.status === 'stopped'));
    const stopped = list.filter((e) => e.status === 'stopped').length;
    const collect = (which: 'final' | 'best') => {
      const values = new Map<string, number[]>();
      for (const e of done)
        for (const [k, v] of Object.entries(e[which])) (values.get(k) ?? values.set(k, []).get(k)!).push(v);
      return Object.fromEntries([...values].map(([k, v]) => [k, stat(v)]));
    };
    const values = Object.fromEntries(Object.entries(list[0]!.values).filter(([path]) => path !== 'training.seed'));
    const succeeded = list.filter((e) => e.status === 'succeeded').length;
    return { group, values, n: list.length, succeeded, stopped, final: collect('final'), best: collect('best') };
  });

  return { gridId, axes, experiments, groups, degradation: degradationCheck(groups, byGroup, familyOf) };
}

/**
 * For every set of groups that differ only in depth (same family and other axes): did the deeper
 * network train better or worse? Compared on the final training error when recorded (the paper's
 * degradation is a training-error effect), else the validation or test error.
 */
function degradationCheck(
  groups: GridSummary['groups'],
  byGroup: Map<string, { experimentId: string }[]>,
  members: Map<string, GridMemberRow>,
): GridSummary['degradation'] {
  const series = new Map<
    string,
    { family: string; values: Record<string, unknown>; points: { depth: number; final: Record<string, Stat> }[] }
  >();
  for (const g of groups) {
    const first = members.get(byGroup.get(g.group)![0]!.experimentId)!;
    if (Object.keys(g.final).length === 0) continue;
    const values = Object.fromEntries(Object.entries(g.values).filter(([path]) => path !== 'architecture.depth'));
    const key = canonicalJson({ family: first.family, values });
    const entry = series.get(key) ?? series.set(key, { family: first.family, values, points: [] }).get(key)!;
    entry.points.push({ depth: first.depth, final: g.final });
  }

  const out: GridSummary['degradation']['series'] = [];
  for (const s of series.values()) {
    if (s.points.length < 2) continue;
    s.points.sort((a, b) => a.depth - b.depth);
    const metric = ['train.error', 'validation.error', 'test.error'].find((m) => s.points.every((p) => p.final[m]));
    if (!metric) continue;
    const steps = s.points.slice(1).map((p, i) => {
      const from = s.points[i]!.final[metric]!.mean;
      const to = p.final[metric]!.mean;
      return {
        fromDepth: s.points[i]!.depth,
        toDepth: p.depth,
        metric,
        from,
        to,
        verdict: to < from ? ('better' as const) : to > from ? ('worse' as const) : ('same' as const),
      };
    });
    out.push({ family: s.family, residual: RESIDUAL.has(s.family), values: s.values, steps });
  }
  // Shallowest against deepest of each series: the paper's claim is about the trend.
  const trend = (families: Set<string>, want: 'better' | 'worse') => {
    const relevant = out.filter((s) => families.has(s.family));
    if (relevant.length === 0) return null;
    return relevant.every((s) => {
      const first = s.steps[0]!.from;
      const last = s.steps[s.steps.length - 1]!.to;
      return want === 'better' ? last < first : last > first;
    });
  };
  const plainDegrades = trend(PLAIN, 'worse');
  const residualImproves = trend(RESIDUAL, 'better');
  const reproduced = plainDegrades === null || residualImproves === null ? null : plainDegrades && residualImproves;
  return { series: out, plainDegrades, residualImproves, reproduced };
}

/** Averages consecutive points into at most `maxPoints` buckets; each bucket keeps its last epoch. */
export function downsample<T extends { epoch: number; value: number }>(
  points: T[],
  maxPoints: number,
): { epoch: number; value: number }[] {
  if (points.length <= maxPoints) return points.map((p) => ({ epoch: p.epoch, value: p.value }));
  const size = Math.ceil(points.length / maxPoints);
  const out: { epoch: number; value: number }[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push({
      epoch: bucket[bucket.length - 1]!.epoch,
      value: bucket.reduce((s, p) => s + p.value, 0) / bucket.length,
    });
  }
  return out;
}

/** One CSV cell: quoted when it holds a comma, quote or line break. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
