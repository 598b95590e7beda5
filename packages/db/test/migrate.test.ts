import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@resnet-lab/testing';
import { migrate } from '../src/index';

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
