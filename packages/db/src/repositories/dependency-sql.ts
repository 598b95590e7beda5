import { Prisma } from '../generated/client';

/**
 * Whether experiment `alias` may run as far as its warm-start source is concerned: it waits for
 * none, or that one succeeded or stopped (its checkpoints are final). Every path that queues or
 * claims an experiment checks it, so a dependant never starts before its source, whoever resumes
 * or retries what; the source's end queues it (the grid_dependencies migration's trigger).
 */
export function sourceReady(alias: string): Prisma.Sql {
  return Prisma.raw(
    `(${alias}."waitsFor" IS NULL OR EXISTS (SELECT 1 FROM "Experiment" src ` +
      `WHERE src.id = ${alias}."waitsFor" AND src.status IN ('succeeded', 'stopped')))`,
  );
}
