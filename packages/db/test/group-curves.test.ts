import { describe, expect, it } from 'vitest';
import { expandGrid, GridDefinition } from '@resnet-lab/spec';
import { useTestRepositories } from '@resnet-lab/testing';
import type { Lease } from '../src/index';

/**
 * The GroupCurve triggers: every write to Metric (new epochs, replayed epochs, epochs removed on
 * resume, writers racing in parallel) leaves each group's point equal to the mean, sample std and
 * count of its members' values, as PostgreSQL computes them from Metric itself; a grid that
 * reuses finished experiments starts with their points.
 */
const fixture = useTestRepositories();

/** A grid of two groups (depth 8 and 14) of `seeds` experiments each; its members' leases once claimed. */
async function newGrid(seeds: number, reuse: Map<string, string> = new Map()) {
  const expansion = expandGrid(
    GridDefinition.parse({
      base: {
        architecture: { family: 'cifar-resnet', widthMultiplier: 0.25 },
        dataset: { name: 'synthetic', trainSize: 32, testSize: 16, imageSize: 8, classes: 2 },
        training: { epochs: 3, batchSize: 16 },
      },
      axes: { 'architecture.depth': [8, 14], 'training.seed': Array.from({ length: seeds }, (_, i) => i) },
    }),
    { maxExperiments: 100 },
  );
  const { grid } = await fixture.repos.grids.create({
    definition: {},
    axes: expansion.axes,
    priority: 0,
    points: expansion.points.map((p) => ({ ...p, ...(reuse.has(p.specHash) ? { reuse: reuse.get(p.specHash) } : {}) })),
  });
  const members = await fixture.repos.grids.members(grid.id);
  return { gridId: grid.id, members, hashes: expansion.points.map((p) => p.specHash) };
}

async function claim(experimentId: string): Promise<Lease> {
  return (await fixture.repos.experiments.claim(experimentId, 'test-worker'))!.lease;
}

type Point = { groupKey: string; split: string; name: string; epoch: number; mean: number; std: number; n: number };

/** The stored points against the same aggregate computed from Metric now. */
async function expectCurvesExact(gridId: string) {
  const stored = await fixture.database.db.$queryRaw<unknown[]>`
    SELECT "groupKey", split, name, epoch, mean, std, n FROM "GroupCurve" WHERE "gridId" = ${gridId}::uuid
    ORDER BY "groupKey", split, name, epoch`;
  const computed = await fixture.database.db.$queryRaw<unknown[]>`
    SELECT gm."groupKey", m.split, m.name, m.epoch, avg(m.value)::float8 AS mean,
           coalesce(stddev_samp(m.value), 0)::float8 AS std, count(*)::int AS n
    FROM "GridMember" gm JOIN "Metric" m ON m."experimentId" = gm."experimentId"
    WHERE gm."gridId" = ${gridId}::uuid
    GROUP BY gm."groupKey", m.split, m.name, m.epoch ORDER BY 1, 2, 3, 4`;
  // Equal but for the last bits of a float sum, whose order differs between the two queries.
  const approximately = (rows: unknown[]) =>
    (rows as Point[]).map((r) => ({ ...r, mean: expect.closeTo(r.mean, 12), std: expect.closeTo(r.std, 12) }));
  expect(stored).toEqual(approximately(computed));
  return stored as Point[];
}

describe('grouped learning curves kept by triggers', () => {
  it('follow new, replayed and removed epochs of members writing in parallel', async () => {
    const { gridId, members } = await newGrid(4);
    const leases = await Promise.all(members.map((m) => claim(m.experimentId)));
    // Every member writes three epochs, all at once: the writers of one group race each other.
    await Promise.all(
      leases.flatMap((l, i) =>
        [1, 2, 3].map((epoch) =>
          fixture.repos.metrics.recordEpoch(l, epoch, [
            { split: 'train', name: 'error', value: 1 / (epoch + i) },
            { split: 'validation', name: 'error', value: 0.5 + i / 100 },
          ]),
        ),
      ),
    );
    const points = await expectCurvesExact(gridId);
    expect(points).toHaveLength(2 * 2 * 3);
    expect(points.every((p) => p.n === 4)).toBe(true);

    // A replayed epoch overwrites, a resumed attempt removes epochs after its checkpoint.
    await fixture.repos.metrics.recordEpoch(leases[0]!, 2, [{ split: 'train', name: 'error', value: 0.9 }]);
    await fixture.repos.metrics.removeAfter(leases[1]!, 1);
    const after = await expectCurvesExact(gridId);
    const group = members[1]!.groupKey;
    expect(after.filter((p) => p.groupKey === group && p.epoch === 3).map((p) => p.n)).toEqual([3, 3]);
  });

  it('start a grid that reuses finished experiments with their points', async () => {
    const first = await newGrid(2);
    for (const m of first.members) {
      const l = await claim(m.experimentId);
      await fixture.repos.metrics.recordEpoch(l, 1, [{ split: 'train', name: 'error', value: m.index / 10 }]);
      await fixture.repos.experiments.finish(l, 'succeed');
    }
    const reuse = new Map(first.hashes.map((h, i) => [h, first.members[i]!.experimentId]));
    // Three seeds: the first two reuse the finished runs, the third is new and has no metrics yet.
    const second = await newGrid(3, reuse);
    expect(second.members.filter((m) => m.reused)).toHaveLength(4);
    const points = await expectCurvesExact(second.gridId);
    expect(points.map((p) => p.n)).toEqual([2, 2]);
  });
});
