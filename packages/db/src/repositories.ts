import type { Db } from './client';
import { checkpointRepository } from './repositories/checkpoint.repository';
import { experimentRepository } from './repositories/experiment.repository';
import { gridRepository } from './repositories/grid.repository';
import { idempotencyRepository } from './repositories/idempotency.repository';
import { metricRepository } from './repositories/metric.repository';
import { outboxRepository } from './repositories/outbox.repository';
import { stoppingRepository } from './repositories/stopping.repository';
import { testScoresRepository } from './repositories/test-scores.repository';
import { tokenRepository } from './repositories/token.repository';
import { workerRepository } from './repositories/worker.repository';

export function repositories(db: Db) {
  return {
    experiments: experimentRepository(db),
    metrics: metricRepository(db),
    checkpoints: checkpointRepository(db),
    outbox: outboxRepository(db),
    grids: gridRepository(db),
    workers: workerRepository(db),
    idempotency: idempotencyRepository(db),
    tokens: tokenRepository(db),
    stopping: stoppingRepository(db),
    testScores: testScoresRepository(db),
    /** Readiness: resolves when Postgres answers a query. */
    async ping(): Promise<void> {
      await db.$queryRaw`SELECT 1`;
    },
  };
}

export type Repositories = ReturnType<typeof repositories>;
