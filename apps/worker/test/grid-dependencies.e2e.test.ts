import { describe, expect, it } from 'vitest';
import { repositories, type Repositories } from '@resnet-lab/db';
import { InitReport } from '@resnet-lab/spec';
import { TINY_SPEC as TINY, useStack, waitFor } from '@resnet-lab/testing';

/**
 * Grid dependencies over the real processes: a grid whose deeper net starts from the trained
 * shallow one (VGG's recipe). The dependant has no job until its source succeeded, also when the
 * worker is killed while the source trains; a cancelled source fails its dependant, saying why.
 */
const fixture = useStack({ workerEnv: { TRAINER_BACKEND: 'cpu', WORKER_LOCK_MS: '3000' } });
const { api } = fixture;
const repos = (): Repositories => repositories(fixture.database.db);

/** A source (depth 8) training `epochs` epochs and a dependant (depth 14) warm-started from it. */
const chainGrid = (epochs: number, seed: number) => ({
  name: 'depth 14 from depth 8',
  base: { ...TINY, dataset: { ...TINY.dataset, trainSize: 512 }, training: { ...TINY.training, epochs, seed } },
  zip: [
    {
      'architecture.depth': [8, 14],
      init: [null, { from: { point: { 'architecture.depth': 8 }, epoch: 'last' } }],
    },
  ],
});

async function membersOf(gridId: string): Promise<{ source: any; dependant: any }> {
  const { body } = await api(`/v1/grids/${gridId}/experiments`);
  const [source, dependant] = body.items.map((m: { experiment: unknown }) => m.experiment);
  return { source, dependant };
}

async function waitForStatus(id: string, statuses: string[], timeoutMs: number) {
  return waitFor(
    async () => {
      const { body } = await api(`/v1/experiments/${id}`);
      return statuses.includes(body.status) ? body : undefined;
    },
    { timeoutMs, what: `experiment ${id} to reach ${statuses.join('/')}` },
  ).catch((error) => {
    throw fixture.withLogs(error as Error);
  });
}

/** The dependant has no BullMQ job and no outbox entry: nothing can start it. */
async function expectNotQueued(id: string) {
  expect(await fixture.queue.redis.exists(`${fixture.queue.prefix}:train:${id}`)).toBe(0);
  expect(await fixture.database.db.outboxEntry.count({ where: { experimentId: id } })).toBe(0);
}

describe('grid dependencies end to end', () => {
  it('starts a dependant only after its source succeeded, also across a worker killed in between', async () => {
    const created = await api('/v1/grids', { method: 'POST', body: chainGrid(4, 1) });
    expect(created.status).toBe(201);
    const { source, dependant } = await membersOf(created.body.grid.id);
    expect(dependant).toMatchObject({ status: 'queued', waitsFor: source.id });
    expect(dependant.spec.init.from).toEqual({ experiment: source.id, epoch: 'last' });

    await waitFor(async () => ((await repos().checkpoints.latest(source.id)) ? true : undefined), {
      timeoutMs: 120_000,
      what: "the source's first checkpoint",
    });
    await fixture.stack.worker.kill();
    expect((await api(`/v1/experiments/${dependant.id}`)).body).toMatchObject({ status: 'queued', attempts: 0 });
    await expectNotQueued(dependant.id);

    fixture.stack.startWorker();
    const sourceDone = await waitForStatus(source.id, ['succeeded', 'failed'], 240_000);
    expect(sourceDone.status).toBe('succeeded');
    const done = await waitForStatus(dependant.id, ['succeeded', 'failed'], 240_000);
    expect(done.status, done.error).toBe('succeeded');
    expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(Date.parse(sourceDone.finishedAt));
    const report = InitReport.parse(done.initReport);
    expect(report.source).toEqual({ experiment: source.id, epoch: 4 });
    expect(report.loaded.length).toBeGreaterThan(5);
  }, 600_000);

  it("fails the dependant with the source's reason when the source is cancelled", async () => {
    const created = await api('/v1/grids', { method: 'POST', body: chainGrid(40, 2) });
    const { source, dependant } = await membersOf(created.body.grid.id);
    await waitForStatus(source.id, ['running'], 120_000);
    expect((await api(`/v1/experiments/${source.id}/cancel`, { method: 'POST' })).status).toBe(200);
    await waitForStatus(source.id, ['cancelled'], 120_000);
    const failed = await waitForStatus(dependant.id, ['failed'], 10_000);
    expect(failed.error).toBe(`its warm-start source ${source.id} cancelled`);
    expect(failed.attempts).toBe(0);
    await expectNotQueued(dependant.id);
  }, 300_000);
});
