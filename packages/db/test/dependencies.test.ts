import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExperimentSpec } from '@resnet-lab/spec';
import { TINY_SPEC, useTestRepositories } from '@resnet-lab/testing';

/**
 * Experiments that wait for their warm-start source (Experiment.waitsFor): not queued (no outbox
 * entry) and not claimable before it finished; queued by its success, failed by its failure with
 * the reason, down a chain, in the transaction that ends the source.
 */
const fixture = useTestRepositories();

/** A grid of a chain a <- b <- c (each waits for the one before). */
async function chain() {
  const ids = [randomUUID(), randomUUID(), randomUUID()] as const;
  const spec = ExperimentSpec.parse(TINY_SPEC);
  const { grid } = await fixture.repos.grids.create({
    definition: {},
    axes: ['training.seed'],
    priority: 0,
    points: ids.map((id, i) => ({
      index: i,
      values: { 'training.seed': i },
      groupKey: `${i}`,
      spec: { ...spec, training: { ...spec.training, seed: i } },
      specHash: `hash-${id}`,
      id,
      ...(i > 0 ? { waitsFor: ids[i - 1] } : {}),
    })),
  });
  return Object.assign(ids, { gridId: grid.id });
}

const outboxOf = async (id: string) => fixture.database.db.outboxEntry.count({ where: { experimentId: id } });
const rowOf = async (id: string) => (await fixture.repos.experiments.get(id))!;

describe('experiments waiting for their warm-start source', () => {
  it('are neither queued nor claimable before the source succeeded, then queued in the same transaction', async () => {
    const [a, b, c] = await chain();
    expect([await outboxOf(a), await outboxOf(b), await outboxOf(c)]).toEqual([1, 0, 0]);
    expect(await fixture.repos.experiments.claim(b, 'w')).toBeNull();
    // A resume of the grid or the queue reconciler does not queue them either.
    const runnable = (await fixture.repos.experiments.runnableQueued(null, 100)).map((r) => r.id);
    expect(runnable).not.toContain(b);

    const source = (await fixture.repos.experiments.claim(a, 'w'))!;
    await fixture.repos.experiments.finish(source.lease, 'succeed');
    expect([await outboxOf(b), await outboxOf(c)]).toEqual([1, 0]);
    expect(await fixture.repos.experiments.claim(c, 'w')).toBeNull();
    expect(await fixture.repos.experiments.claim(b, 'w')).not.toBeNull();
  });

  it("fail with the source's reason when it fails, down the chain", async () => {
    const [a, b, c] = await chain();
    const source = (await fixture.repos.experiments.claim(a, 'w'))!;
    await fixture.repos.experiments.finish(source.lease, 'fail', 'loss diverged at epoch 2');
    expect(await rowOf(b)).toMatchObject({
      status: 'failed',
      error: `its warm-start source ${a} failed: loss diverged at epoch 2`,
    });
    expect((await rowOf(c)).error).toMatch(
      new RegExp(`^its warm-start source ${b} failed: its warm-start source ${a}`),
    );
    expect([await outboxOf(b), await outboxOf(c)]).toEqual([0, 0]);
  });

  it('are failed again, not left waiting, when a retry queues them while their source stays cancelled', async () => {
    const ids = await chain();
    const [a, b] = ids;
    await fixture.repos.experiments.requestCancel(a);
    expect((await rowOf(b)).error).toBe(`its warm-start source ${a} cancelled`);
    await fixture.repos.grids.retry(ids.gridId);
    expect(await rowOf(b)).toMatchObject({
      status: 'failed',
      error: `its warm-start source ${a} is cancelled; retry or resume it, then retry this one`,
    });
    expect(await outboxOf(b)).toBe(0);
  });

  it('wait again for a source that a retry queues with them', async () => {
    const ids = await chain();
    const [a, b, c] = ids;
    const source = (await fixture.repos.experiments.claim(a, 'w'))!;
    await fixture.repos.experiments.finish(source.lease, 'fail', 'out of memory');
    await fixture.repos.grids.retry(ids.gridId);
    expect([(await rowOf(a)).status, (await rowOf(b)).status, (await rowOf(c)).status]).toEqual([
      'queued',
      'queued',
      'queued',
    ]);
    expect([await outboxOf(a), await outboxOf(b), await outboxOf(c)]).toEqual([1, 0, 0]);
  });
});
