import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '@resnet-lab/spec';
import { useTestRepositories } from '@resnet-lab/testing';
import { CheckpointCorruptError, LeaseLostError, type Lease } from '../src/index';

const fixture = useTestRepositories();

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A fresh experiment claimed by a worker: the lease of its first attempt. */
async function claimed(): Promise<Lease> {
  const exp = await fixture.repos.experiments.createWithOutbox({} as never, 'hash');
  const claim = await fixture.repos.experiments.claim(exp.id, 'test-worker');
  return claim!.lease;
}

async function summaries(experimentId: string) {
  return fixture.database.db.metricSummary.findMany({
    where: { experimentId },
    select: { split: true, name: true, lastEpoch: true, lastValue: true, epochs: true },
  });
}

describe('metrics', () => {
  it('a replayed epoch overwrites its rows instead of duplicating them', async () => {
    const l = await claimed();
    await fixture.repos.metrics.recordEpoch(l, 1, [{ split: 'train', name: 'loss', value: 2 }]);
    await fixture.repos.metrics.recordEpoch(l, 1, [{ split: 'train', name: 'loss', value: 1.5 }]);
    expect(await fixture.repos.metrics.list(l.experimentId)).toEqual([
      { epoch: 1, split: 'train', name: 'loss', value: 1.5 },
    ]);
  });

  it('removing the epochs after a checkpoint recomputes the summaries from what remains', async () => {
    const l = await claimed();
    for (let epoch = 1; epoch <= 4; epoch++) {
      await fixture.repos.metrics.recordEpoch(l, epoch, [{ split: 'train', name: 'loss', value: 10 - epoch }]);
    }
    await fixture.repos.metrics.recordEpoch(l, 4, [{ split: 'validation', name: 'error', value: 0.5 }]);
    expect(await fixture.repos.metrics.removeAfter(l, 2)).toBe(3);
    expect((await fixture.repos.metrics.list(l.experimentId)).map((m) => m.epoch)).toEqual([1, 2]);
    // validation.error had only epoch 4: its summary is gone; train.loss now ends at epoch 2.
    expect(await summaries(l.experimentId)).toEqual([
      { split: 'train', name: 'loss', lastEpoch: 2, lastValue: 8, epochs: 2 },
    ]);
  });
});

describe('checkpoints', () => {
  it('stores a checkpoint larger than one chunk and reads back the same bytes, verified', async () => {
    const l = await claimed();
    const bytes = new Uint8Array(9 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    await fixture.repos.checkpoints.save(l, 3, bytes, sha(bytes), 0.5);
    const back = await fixture.repos.checkpoints.read(l.experimentId, 3);
    expect(back!.info.size).toBe(bytes.byteLength);
    expect(Buffer.compare(back!.bytes, Buffer.from(bytes))).toBe(0);
  });

  it('keeps the last K checkpoints and the best one', async () => {
    const l = await claimed();
    const errors = [0.9, 0.2, 0.5, 0.6, 0.7];
    for (let epoch = 1; epoch <= 5; epoch++) {
      const bytes = new Uint8Array([epoch]);
      await fixture.repos.checkpoints.save(l, epoch, bytes, sha(bytes), errors[epoch - 1]!);
    }
    await fixture.repos.checkpoints.prune(l, 2);
    expect((await fixture.repos.checkpoints.list(l.experimentId)).map((c) => c.epoch)).toEqual([2, 4, 5]);
  });

  it('a damaged checkpoint fails verification, and a resume falls back to the one before', async () => {
    const l = await claimed();
    for (const epoch of [1, 2, 3]) {
      const bytes = new Uint8Array(1000).fill(epoch);
      await fixture.repos.checkpoints.save(l, epoch, bytes, sha(bytes), null);
    }
    // Epoch 3: one byte flipped on disk. Epoch 2: a chunk lost.
    await fixture.database.db.$executeRaw`
      UPDATE "CheckpointChunk" c SET bytes = set_byte(c.bytes, 10, 0) FROM "Checkpoint" k
      WHERE c."checkpointId" = k.id AND k."experimentId" = ${l.experimentId}::uuid AND k.epoch = 3`;
    await fixture.database.db.$executeRaw`
      DELETE FROM "CheckpointChunk" c USING "Checkpoint" k
      WHERE c."checkpointId" = k.id AND k."experimentId" = ${l.experimentId}::uuid AND k.epoch = 2`;
    await expect(fixture.repos.checkpoints.read(l.experimentId, 3)).rejects.toThrow(/epoch 3 is damaged: sha256/);
    await expect(fixture.repos.checkpoints.read(l.experimentId, 2)).rejects.toThrow(/0 of 1 chunks are stored/);

    const skipped: CheckpointCorruptError[] = [];
    const resume = await fixture.repos.checkpoints.newestValid(l.experimentId, (e) => skipped.push(e));
    expect(resume!.info.epoch).toBe(1);
    expect(resume!.bytes[0]).toBe(1);
    expect(skipped.map((e) => e.epoch)).toEqual([3, 2]);
  });

  it('an unfinished save is invisible, and removed by the next attempt resuming before it', async () => {
    const l = await claimed();
    const bytes = new Uint8Array([7]);
    await fixture.repos.checkpoints.save(l, 1, bytes, sha(bytes), null);
    // A crash after the row and before the publishing update:
    await fixture.database.db.checkpoint.create({
      data: { experimentId: l.experimentId, epoch: 2, sha256: 'x', size: 1, chunkCount: 1, lease: l.lease },
    });
    expect((await fixture.repos.checkpoints.list(l.experimentId)).map((c) => c.epoch)).toEqual([1]);
    expect((await fixture.repos.checkpoints.latest(l.experimentId))!.epoch).toBe(1);
    await fixture.repos.checkpoints.removeAfter(l, 1);
    expect(await fixture.database.db.checkpoint.count({ where: { experimentId: l.experimentId } })).toBe(1);
  });

  it('stores and verifies a 600 MB checkpoint (ResNet-152 with momentum is about this size)', async () => {
    const l = await claimed();
    const bytes = new Uint8Array(600 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i >>> 12) & 0xff;
    const digest = sha(bytes);
    await fixture.repos.checkpoints.save(l, 1, bytes, digest, null);
    const back = await fixture.repos.checkpoints.read(l.experimentId, 1);
    expect(back!.info.size).toBe(bytes.byteLength);
    expect(sha(back!.bytes)).toBe(digest);
    // 600 MB through Postgres takes two to three minutes on a quiet 2-core machine and more than the
    // default five beside other test files: a deadline of its own, far from what load can reach.
  }, 900_000);
});

describe('leases', () => {
  it('a second claim supersedes the first attempt: every later write of the first is refused', async () => {
    const first = await claimed();
    const second = (await fixture.repos.experiments.claim(first.experimentId, 'other-worker'))!.lease;
    expect(second.lease).toBe(first.lease + 1);
    const bytes = new Uint8Array([1]);
    const late = [
      () => fixture.repos.experiments.setProgress(first, { epoch: 1 }),
      () => fixture.repos.experiments.setBackend(first, 'cpu'),
      () => fixture.repos.metrics.recordEpoch(first, 1, [{ split: 'train', name: 'loss', value: 9 }]),
      () => fixture.repos.checkpoints.save(first, 1, bytes, sha(bytes), null),
      () => fixture.repos.metrics.removeAfter(first, 0),
      () => fixture.repos.experiments.finish(first, 'succeed'),
      () => fixture.repos.experiments.requeue(first, 'late'),
    ];
    for (const write of late) await expect(write()).rejects.toBeInstanceOf(LeaseLostError);
    await expect(fixture.repos.experiments.attemptState(first)).resolves.toBe('superseded');

    await fixture.repos.metrics.recordEpoch(second, 1, [{ split: 'train', name: 'loss', value: 1 }]);
    await fixture.repos.experiments.finish(second, 'succeed');
    const row = await fixture.repos.experiments.get(first.experimentId);
    expect([row!.status, row!.attempts]).toEqual(['succeeded', 2]);
    expect(await fixture.repos.metrics.list(first.experimentId)).toEqual([
      { epoch: 1, split: 'train', name: 'loss', value: 1 },
    ]);
    // And a finished attempt can write nothing either.
    await expect(
      fixture.repos.metrics.recordEpoch(second, 2, [{ split: 'train', name: 'loss', value: 0 }]),
    ).rejects.toThrow(/may no longer write: the experiment is succeeded/);
  });

  it('status changes outside the transition table are refused', async () => {
    const exp = await fixture.repos.experiments.createWithOutbox({} as never, 'hash');
    await expect(fixture.repos.experiments.transition(exp.id, 'succeed')).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
    await expect(fixture.repos.experiments.transition(exp.id, 'retry')).rejects.toThrow(
      /cannot retry experiment .*: it is queued/,
    );
    const cancelled = await fixture.repos.experiments.requestCancel(exp.id);
    expect(cancelled.status).toBe('cancelled');
    expect(await fixture.repos.experiments.claim(exp.id, 'w')).toBeNull();
    await fixture.repos.experiments.transition(exp.id, 'retry');
    expect((await fixture.repos.experiments.get(exp.id))!.status).toBe('queued');
  });
});
