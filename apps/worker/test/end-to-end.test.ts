import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { checkpointToLayersModel } from '@resnet-lab/trainer';
import { repositories, type Repositories } from '@resnet-lab/db';
import { ExperimentSpec, specHash } from '@resnet-lab/spec';
import { TINY_SPEC as TINY, useStack, waitFor } from '@resnet-lab/testing';

/**
 * The real thing: the API and worker entry points run as their own processes against the real
 * Postgres and Redis; the test talks to them over HTTP only (and reads Postgres to check).
 */
const fixture = useStack({ workerEnv: { TRAINER_BACKEND: 'cpu', WORKER_LOCK_MS: '3000' } });
const api = fixture.api;
const stack = () => fixture.stack;
const database = () => fixture.database;
const queue = () => fixture.queue;
const repos = (): Repositories => repositories(fixture.database.db);
let finishedId: string;

async function waitForStatus(id: string, statuses: string[], timeoutMs = 120_000) {
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

describe('one experiment end to end', () => {
  it('trains through API, queue and worker, with one metric row per epoch and split in Postgres', async () => {
    const created = await api('/v1/experiments', { method: 'POST', body: TINY });
    expect(created.status).toBe(201);
    const done = await waitForStatus(created.body.id, ['succeeded', 'failed']);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(done.backend).toBe('cpu');
    expect(done.attempts).toBe(1);

    const rows = await database().db.metric.findMany({ where: { experimentId: created.body.id } });
    for (const epoch of [1, 2]) {
      for (const split of ['train', 'validation']) {
        const losses = rows.filter((r) => r.epoch === epoch && r.split === split && r.name === 'loss');
        expect(losses, `epoch ${epoch} ${split} loss`).toHaveLength(1);
        expect(Number.isFinite(losses[0]!.value)).toBe(true);
      }
    }
    expect(new Set(rows.map((r) => r.epoch))).toEqual(new Set([1, 2]));
    const metrics = await api(`/v1/experiments/${created.body.id}/metrics`);
    expect(metrics.body.metrics.length).toBe(rows.length);
    expect((await repos().checkpoints.list(created.body.id)).length).toBeGreaterThan(0);
    finishedId = created.body.id;
  });

  it('serves checkpoints and the final model, which stock tf.loadLayersModel reloads', async () => {
    const list = await api(`/v1/experiments/${finishedId}/checkpoints`);
    expect(list.status).toBe(200);
    const last = list.body.checkpoints.at(-1);
    expect(last.epoch).toBe(2);

    const download = await fetch(`${stack().apiUrl}/v1/experiments/${finishedId}/checkpoints/2`);
    expect(download.status).toBe(200);
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(last.sha256);
    expect(bytes.byteLength).toBe(last.size);
    expect((await fetch(`${stack().apiUrl}/v1/experiments/${finishedId}/checkpoints/99`)).status).toBe(404);

    await tf.setBackend('cpu');
    const served = await tf.loadLayersModel(`${stack().apiUrl}/v1/experiments/${finishedId}/model/model.json`);
    const spec = ExperimentSpec.parse((await api(`/v1/experiments/${finishedId}`)).body.spec);
    const local = await checkpointToLayersModel(spec, bytes);
    const reference = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: (local.modelJson as any).modelTopology,
        weightSpecs: (local.modelJson as any).weightsManifest[0].weights,
        weightData: local.weights.slice().buffer,
      }),
    );
    const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 5);
    const a = served.predict(x) as tf.Tensor;
    const b = reference.predict(x) as tf.Tensor;
    expect(a.shape).toEqual([3, 4]);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([x, a, b]);
    served.dispose();
    reference.dispose();
  });

  it('runs an experiment whose submitter crashed between the insert and the enqueue', async () => {
    // Kill the API, then do exactly what its POST handler had done before the crash: the row and
    // its outbox entry are committed, nothing reached Redis.
    await stack().api.kill();
    const spec = ExperimentSpec.parse({ ...TINY, training: { ...TINY.training, epochs: 1, seed: 7 } });
    const orphan = await repos().experiments.createWithOutbox(spec, specHash(spec));
    expect(await queueHas(orphan.id)).toBe(false);

    await stack().restartApi();
    const done = await waitForStatus(orphan.id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(await repos().outbox.count()).toBe(0);
  });

  it('stops a running experiment on cancel and marks it cancelled', async () => {
    const slow = { ...TINY, dataset: { ...TINY.dataset, trainSize: 2048 }, training: { ...TINY.training, epochs: 50 } };
    const created = await api('/v1/experiments', { method: 'POST', body: slow });
    await waitForStatus(created.body.id, ['running']);
    const cancel = await api(`/v1/experiments/${created.body.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    expect(cancel.body.cancelRequested).toBe(true);
    const done = await waitForStatus(created.body.id, ['cancelled', 'succeeded', 'failed'], 60_000);
    expect(done.status).toBe('cancelled');
  });
});

describe('a worker killed mid-training', () => {
  it('loses nothing: another worker resumes from the last checkpoint and finishes', async () => {
    const spec = {
      ...TINY,
      dataset: { ...TINY.dataset, trainSize: 512 },
      training: { ...TINY.training, epochs: 6, seed: 3 },
    };
    const created = await api('/v1/experiments', { method: 'POST', body: spec });
    const id = created.body.id;
    await waitFor(async () => ((await repos().checkpoints.latest(id)) ? true : undefined), {
      timeoutMs: 120_000,
      what: 'a first checkpoint',
    });
    await stack().worker.kill();
    const before = await repos().checkpoints.latest(id);
    expect(before!.epoch).toBeLessThan(6);

    stack().startWorker();
    const done = await waitForStatus(id, ['succeeded', 'failed'], 180_000);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(stack().worker.output()).toMatch(/resuming from checkpoint/);
    const rows = await database().db.metric.findMany({ where: { experimentId: id, split: 'train', name: 'loss' } });
    expect(rows.map((r) => r.epoch).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  }, 400_000);
});

describe('a worker shut down mid-training (SIGTERM)', () => {
  it('hands the job back without spending an attempt; the next worker resumes it', async () => {
    const spec = {
      ...TINY,
      dataset: { ...TINY.dataset, trainSize: 512 },
      training: { ...TINY.training, epochs: 6, seed: 4 },
    };
    const created = await api('/v1/experiments', { method: 'POST', body: spec });
    const id = created.body.id;
    await waitFor(async () => ((await repos().checkpoints.latest(id)) ? true : undefined), {
      timeoutMs: 120_000,
      what: 'a first checkpoint',
    });
    await stack().worker.stop(30_000);
    expect(stack().worker.output()).toMatch(/handed back to the queue/);
    const job = await queueJob(id);
    expect(job.attemptsMade).toBe(0);
    expect((await api(`/v1/experiments/${id}`)).body.status).toBe('queued');

    stack().startWorker();
    const done = await waitForStatus(id, ['succeeded', 'failed'], 180_000);
    expect(done.status).toBe('succeeded');
    expect(stack().worker.output()).toMatch(/resuming from checkpoint/);
  }, 400_000);
});

async function queueJob(id: string): Promise<{ attemptsMade: number }> {
  const raw = await queue().redis.hgetall(`${queue().prefix}:train:${id}`);
  return { attemptsMade: Number(raw.atm ?? 0) };
}

async function queueHas(id: string): Promise<boolean> {
  return (await queue().redis.exists(`${queue().prefix}:train:${id}`)) === 1;
}
