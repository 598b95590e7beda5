/**
 * A grid's learning curves as the /curves route answers them: per experiment (its own points), or
 * per group of experiments that differ only in the seed (mean, std and n per epoch, computed by
 * the database). Long series are thinned to `maxPoints`.
 */
import type { GridMemberRow } from '@resnet-lab/db';
import { downsample } from './grid-summary';

export function experimentSeries(
  members: GridMemberRow[],
  rows: { experimentId: string; epoch: number; value: number }[],
  maxPoints: number,
) {
  const perExperiment = new Map<string, { epoch: number; value: number }[]>();
  for (const r of rows)
    (perExperiment.get(r.experimentId) ?? perExperiment.set(r.experimentId, []).get(r.experimentId)!).push(r);
  return members.map((m) => ({
    key: m.experimentId,
    experimentId: m.experimentId,
    values: m.point,
    points: downsample(perExperiment.get(m.experimentId) ?? [], maxPoints),
  }));
}

/** `rows` ordered by group and epoch, as groupCurveRows gives them. */
export function groupSeries(
  members: Pick<GridMemberRow, 'groupKey' | 'point'>[],
  rows: { groupKey: string; epoch: number; mean: number; std: number; n: number }[],
  maxPoints: number,
) {
  const perGroup = new Map<string, typeof rows>();
  for (const r of rows) (perGroup.get(r.groupKey) ?? perGroup.set(r.groupKey, []).get(r.groupKey)!).push(r);
  // Every group is listed, in expansion order, even before any of its runs reported an epoch.
  const groups = new Map<string, Record<string, unknown>>();
  for (const m of members) if (!groups.has(m.groupKey)) groups.set(m.groupKey, withoutSeed(m.point));
  return [...groups.entries()].map(([key, values]) => {
    const points = perGroup.get(key) ?? [];
    const byEpoch = new Map(points.map((p) => [p.epoch, p]));
    const thinned = downsample(
      points.map((p) => ({ epoch: p.epoch, value: p.mean })),
      maxPoints,
    );
    return {
      key,
      values,
      // std and n are exact where no bucketing happened, else those of the bucket's last epoch.
      points: thinned.map((p) => ({ ...p, std: byEpoch.get(p.epoch)?.std ?? 0, n: byEpoch.get(p.epoch)?.n ?? 0 })),
    };
  });
}

function withoutSeed(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([path]) => path !== 'training.seed'));
}
