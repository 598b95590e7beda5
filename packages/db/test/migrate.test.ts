import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@resnet-lab/testing';
import { migrate, repositories } from '../src/index';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('offline migrator', () => {
  it("records migrations in Prisma's own bookkeeping table, and a second run applies nothing", async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations"',
    );
    await client.end();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0].migration_name).toMatch(/^\d{14}_init$/);
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].finished_at).not.toBeNull();
    expect(rows[0].applied_steps_count).toBe(1);

    const again = await migrate(database.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toContain(rows[0].migration_name);
  });
});

describe('repositories', () => {
  it('a replayed epoch overwrites its metric rows instead of duplicating them', async () => {
    const repos = repositories(database.db);
    const exp = await repos.experiments.createWithOutbox({} as never, 'hash');
    await repos.metrics.recordEpoch(exp.id, 1, [{ split: 'train', name: 'loss', value: 2 }]);
    await repos.metrics.recordEpoch(exp.id, 1, [{ split: 'train', name: 'loss', value: 1.5 }]);
    expect(await repos.metrics.list(exp.id)).toEqual([{ epoch: 1, split: 'train', name: 'loss', value: 1.5 }]);
  });

  it('stores a checkpoint larger than one chunk and reads back the same bytes', async () => {
    const repos = repositories(database.db);
    const exp = await repos.experiments.createWithOutbox({} as never, 'hash');
    const bytes = new Uint8Array(9 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    await repos.checkpoints.save(exp.id, 3, bytes, 'abc', 0.5);
    const back = await repos.checkpoints.read(exp.id, 3);
    expect(back!.info.size).toBe(bytes.byteLength);
    expect(Buffer.compare(Buffer.from(back!.bytes), Buffer.from(bytes))).toBe(0);
  });

  it('keeps the last K checkpoints and the best one', async () => {
    const repos = repositories(database.db);
    const exp = await repos.experiments.createWithOutbox({} as never, 'hash');
    const errors = [0.9, 0.2, 0.5, 0.6, 0.7];
    for (let epoch = 1; epoch <= 5; epoch++) {
      await repos.checkpoints.save(exp.id, epoch, new Uint8Array([epoch]), `h${epoch}`, errors[epoch - 1]!);
    }
    await repos.checkpoints.prune(exp.id, 2);
    expect((await repos.checkpoints.list(exp.id)).map((c) => c.epoch)).toEqual([2, 4, 5]);
  });
});
