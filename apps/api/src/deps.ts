import type { Db, Repositories } from '@resnet-lab/db';
import type { OutboxRelay, TrainQueue } from '@resnet-lab/queue';
import type { Redis } from 'ioredis';

/** Everything the routes use, built by server.ts (or a test) and handed to buildApp. */
export interface AppDeps {
  db: Db;
  repos: Repositories;
  redis: Redis;
  trainQueue: TrainQueue;
  outbox: OutboxRelay;
}
