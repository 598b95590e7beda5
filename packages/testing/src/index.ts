import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createDb, ensureDatabase, migrate, type Db } from '@resnet-lab/db';

/**
 * Fixtures for integration tests against the real PostgreSQL and Redis of the machine. Each test
 * file gets its own database and its own BullMQ key prefix, removed again afterwards, so files
 * can run in parallel without seeing each other's rows or jobs.
 */
export const TEST_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432';
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
  drop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function createTestDatabase(prefix = 'rl_test'): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  const url = `${TEST_POSTGRES_URL}/${name}`;
  await ensureDatabase(url);
  await migrate(url);
  const db = createDb(url, { poolSize: 4 });
  return {
    url,
    name,
    db,
    async drop() {
      await db.$disconnect();
      const admin = new pg.Client({ connectionString: `${TEST_POSTGRES_URL}/postgres` });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export interface TestQueuePrefix {
  prefix: string;
  redis: Redis;
  cleanup(): Promise<void>;
}

export async function createTestQueuePrefix(): Promise<TestQueuePrefix> {
  const prefix = uniqueName('rltest');
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  return {
    prefix,
    redis,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 200, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${describeError(last)}` : ''}`);
}

/** An error as `String(error)` shows it (name and message); anything else thrown as JSON. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.toString();
  return typeof error === 'string' ? error : JSON.stringify(error);
}

export * from './processes';
export * from './stack';
export * from './use-stack';

export { runChaos, type ChaosOptions, type ChaosReport, type FaultKind } from './chaos';
export { privateServicesUnavailable } from './private-services';
export * from './use-repositories';
export { buildDashboard } from './web-build';
export { withScratchStack } from './scratch-stack';
