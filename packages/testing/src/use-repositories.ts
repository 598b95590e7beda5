import { repositories, type Repositories } from '@resnet-lab/db';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './index';

export interface RepositoriesFixture {
  readonly database: TestDatabase;
  readonly repos: Repositories;
}

/**
 * A database of the test file's own with the repositories over it, created before its tests and
 * dropped after them: the setup every test of the data layer shares.
 */
export function useTestRepositories(): RepositoriesFixture {
  let database: TestDatabase | undefined;
  let repos: Repositories | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    repos = repositories(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestRepositories: the database is only there inside tests');
    return value;
  };
  return {
    get database() {
      return started(database);
    },
    get repos() {
      return started(repos);
    },
  };
}
