import { FINAL_EXPERIMENT_STATUSES, type ExperimentSpec } from '@resnet-lab/spec';
import type { Db } from '../client';
import type { Experiment, ExperimentStatus, Prisma } from '../generated/client';
import { pageQuery, toPage } from './cursor-page';

export type { Experiment, ExperimentStatus };

export interface ListExperimentsQuery {
  status?: ExperimentStatus;
  limit: number;
  /** Id of the last experiment of the previous page (newest first). */
  cursor?: string;
}

export const FINAL_STATUSES: readonly ExperimentStatus[] = FINAL_EXPERIMENT_STATUSES;

export function experimentRepository(db: Db) {
  return {
    /**
     * Stores the experiment and its outbox entry in one transaction: once this returns the
     * submission cannot be lost, whatever happens to the process or Redis afterwards.
     */
    async createWithOutbox(spec: ExperimentSpec, specHash: string, priority = 0): Promise<Experiment> {
      return db.$transaction(async (tx) => {
        const experiment = await tx.experiment.create({
          data: { spec: spec, specHash },
        });
        await tx.outboxEntry.create({
          data: { experimentId: experiment.id, kind: 'train', payload: { priority } },
        });
        return experiment;
      });
    },

    get(id: string): Promise<Experiment | null> {
      return db.experiment.findUnique({ where: { id } });
    },

    async list(query: ListExperimentsQuery): Promise<{ items: Experiment[]; nextCursor: string | null }> {
      const rows = await db.experiment.findMany({
        where: query.status ? { status: query.status } : {},
        ...pageQuery(query.limit, query.cursor),
      });
      return toPage(rows, query.limit);
    },

    /**
     * Claims the experiment for a run. Returns null when it must not run (cancelled or already
     * finished): a duplicate delivery of the job then does nothing.
     */
    async markRunning(id: string, worker: string): Promise<Experiment | null> {
      const { count } = await db.experiment.updateMany({
        // An experiment of a paused grid stays queued; resuming the grid queues it again.
        where: {
          id,
          status: { in: ['queued', 'running'] },
          cancelRequested: false,
          OR: [{ gridId: null }, { grid: { status: 'active' } }],
        },
        data: {
          status: 'running',
          worker,
          attempts: { increment: 1 },
          startedAt: new Date(),
          error: null,
        },
      });
      return count === 1 ? db.experiment.findUnique({ where: { id } }) : null;
    },

    async setBackend(id: string, backend: string): Promise<void> {
      await db.experiment.update({ where: { id }, data: { backend } });
    },

    async setProgress(id: string, progress: Prisma.InputJsonValue): Promise<void> {
      await db.experiment.update({ where: { id }, data: { progress } });
    },

    async finish(id: string, status: 'succeeded' | 'failed' | 'cancelled', error?: string): Promise<void> {
      await db.experiment.update({
        where: { id },
        data: { status, error: error ?? null, finishedAt: new Date() },
      });
    },

    /**
     * Marks an experiment failed unless it already ended: used when the queue gives up on its job
     * (last attempt, stall limit) so that the row never stays queued or running behind its back.
     */
    async failUnlessFinal(id: string, error: string): Promise<void> {
      await db.experiment.updateMany({
        where: { id, status: { in: ['queued', 'running'] } },
        data: { status: 'failed', error, finishedAt: new Date() },
      });
    },

    /** A retryable failure: back to queued, keeping the reason visible until the retry starts. */
    async requeue(id: string, error: string): Promise<void> {
      await db.experiment.updateMany({
        where: { id, status: 'running' },
        data: { status: 'queued', error },
      });
    },

    /**
     * Cancels a queued experiment at once; a running one gets a flag its worker polls. Returns the
     * experiment after the change, or null when it does not exist.
     */
    async requestCancel(id: string): Promise<Experiment | null> {
      return db.$transaction(async (tx) => {
        const current = await tx.experiment.findUnique({ where: { id } });
        if (!current || FINAL_STATUSES.includes(current.status)) return current;
        if (current.status === 'queued') {
          await tx.outboxEntry.deleteMany({ where: { experimentId: id } });
          return tx.experiment.update({
            where: { id },
            data: { status: 'cancelled', cancelRequested: true, finishedAt: new Date() },
          });
        }
        return tx.experiment.update({ where: { id }, data: { cancelRequested: true } });
      });
    },

    /**
     * Queued experiments that may run now (not cancelled, grid active or none) and have no outbox
     * entry pending, in id order after `afterId`: what the queue must hold a job for.
     */
    runnableQueued(
      afterId: string | null,
      limit: number,
    ): Promise<{ id: string; gridId: string | null; priority: number }[]> {
      return db.$queryRaw`
        SELECT e.id, e."gridId", e.priority FROM "Experiment" e
        LEFT JOIN "Grid" g ON g.id = e."gridId"
        WHERE e.status = 'queued' AND NOT e."cancelRequested" AND (e."gridId" IS NULL OR g.status = 'active')
          AND NOT EXISTS (SELECT 1 FROM "OutboxEntry" o WHERE o."experimentId" = e.id)
          AND (${afterId}::uuid IS NULL OR e.id > ${afterId}::uuid)
        ORDER BY e.id LIMIT ${limit}`;
    },

    /** Queues experiments again through the outbox (the relay sends them on its next pass). */
    async addOutboxEntries(items: { experimentId: string; priority: number }[]): Promise<void> {
      if (items.length === 0) return;
      await db.outboxEntry.createMany({
        data: items.map((i) => ({ experimentId: i.experimentId, kind: 'train', payload: { priority: i.priority } })),
      });
    },

    async isCancelRequested(id: string): Promise<boolean> {
      const row = await db.experiment.findUnique({ where: { id }, select: { cancelRequested: true } });
      return row?.cancelRequested ?? true;
    },
  };
}

export type ExperimentRepository = ReturnType<typeof experimentRepository>;
