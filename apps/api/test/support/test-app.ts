import { afterAll, beforeAll } from 'vitest';
import { repositories, type Repositories } from '@resnet-lab/db';
import { createRedisConnection, createTrainQueue, startOutboxRelay } from '@resnet-lab/queue';
import {
  createTestDatabase,
  createTestQueuePrefix,
  type TestDatabase,
  type TestQueuePrefix,
} from '@resnet-lab/testing';
import { buildApp, type App, type AppOptions } from '../../src/app';
import type { AppDeps } from '../../src/deps';

export interface TestApi {
  readonly deps: AppDeps;
  readonly database: TestDatabase;
  /** Builds the real app on these deps (logger off unless given); closed after the file's tests. */
  build(options?: Partial<AppOptions>): Promise<App>;
}

/**
 * The API's dependencies over a Postgres database and a BullMQ key prefix of the test file's own
 * (the real services), made before the file's tests and removed after them, with every app built
 * on them closed first. `wrapRepositories` lets a test count or observe calls on their way to
 * Postgres. The outbox relay runs rarely: tests that need it flush it themselves.
 */
export function useTestApi(options: { wrapRepositories?: (repos: Repositories) => Repositories } = {}): TestApi {
  let database: TestDatabase | undefined;
  let queuePrefix: TestQueuePrefix | undefined;
  let deps: AppDeps | undefined;
  const apps: App[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    queuePrefix = await createTestQueuePrefix();
    const real = repositories(database.db);
    const repos = options.wrapRepositories ? options.wrapRepositories(real) : real;
    const trainQueue = createTrainQueue(queuePrefix.redis, queuePrefix.prefix);
    const outbox = startOutboxRelay(repos.outbox, trainQueue, { intervalMs: 60_000, onError: () => {} });
    const redis = createRedisConnection('redis://127.0.0.1:6379', 'producer');
    deps = { db: database.db, repos, redis, trainQueue, outbox };
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await deps?.outbox.stop();
    await deps?.trainQueue.close();
    deps?.redis.disconnect();
    await queuePrefix?.cleanup();
    await database?.drop();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestApi: used before its beforeAll ran');
    return value;
  };
  return {
    get deps() {
      return started(deps);
    },
    get database() {
      return started(database);
    },
    async build(appOptions = {}) {
      const app = await buildApp(started(deps), { logger: false, ...appOptions });
      apps.push(app);
      return app;
    },
  };
}
