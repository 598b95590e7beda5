import type { Grid, Repositories } from '@resnet-lab/db';
import { removeTrainingJobs, jobPriority, type OutboxRelay, type TrainQueue } from '@resnet-lab/queue';
import type { GridSubmission } from '@resnet-lab/spec';
import type { LinkedExpansion } from './grid-sources';
import { flushOutbox, type ServiceLog } from './service-support';

export interface GridServiceDeps {
  repos: Repositories;
  trainQueue: TrainQueue;
  outbox: OutboxRelay;
}

/**
 * Every change of a grid's lifecycle, each as one unit: the database transaction (which moves the
 * grid and its experiments through the transition table and writes their outbox entries), then the
 * queue (jobs removed or re-prioritised) and an outbox flush. Routes call these and only translate
 * HTTP. Errors: NotFoundError, IllegalTransitionError (from the repositories).
 *
 * Order matters where jobs come back: BullMQ keeps a finished job under its id, and a new job with
 * the same id (the experiment id) would collapse into it, so old jobs are removed before the
 * outbox entries that replace them are written.
 */
export function gridService(deps: GridServiceDeps) {
  const { repos, trainQueue } = deps;

  /** Jobs of experiments that will not run: a worker that takes one anyway skips it. */
  const removeStale = (ids: string[], log: ServiceLog) =>
    removeTrainingJobs(trainQueue, ids).catch((error: unknown) =>
      log.warn({ err: error }, 'could not remove jobs; the worker will skip them'),
    );

  return {
    async submit(
      body: GridSubmission,
      expansion: LinkedExpansion,
      reusable: Map<string, string>,
      /** Estimated wall seconds per point, in expansion order. */
      predicted: (number | null)[],
      project: string,
      log: ServiceLog,
    ): Promise<{ grid: Grid; created: number; reused: number }> {
      const created = await repos.grids.create({
        project,
        ...(body.name ? { name: body.name } : {}),
        ...(body.preset ? { preset: body.preset } : {}),
        definition: body,
        axes: expansion.axes,
        priority: body.priority,
        ...(body.earlyStopping ? { earlyStopping: body.earlyStopping } : {}),
        points: expansion.points.map((p, i) => ({
          index: p.index,
          values: p.values,
          groupKey: p.groupKey,
          spec: p.spec,
          specHash: p.specHash,
          ...(reusable.has(p.specHash) ? { reuse: reusable.get(p.specHash)! } : {}),
          ...(p.id ? { id: p.id } : {}),
          ...(p.waitsFor ? { waitsFor: p.waitsFor } : {}),
          predictedSeconds: predicted[i] ?? null,
        })),
      });
      await flushOutbox(deps.outbox, log);
      return created;
    },

    /** Queued experiments are cancelled at once (jobs removed), running ones are flagged to stop. */
    async cancel(id: string, log: ServiceLog): Promise<Grid> {
      const { grid, queued } = await repos.grids.cancel(id);
      await removeStale(queued, log);
      return grid;
    },

    /** No new experiment starts; waiting jobs are removed so that other work runs. */
    async pause(id: string, log: ServiceLog): Promise<Grid> {
      const grid = await repos.grids.pause(id);
      await removeStale(await repos.grids.ownIds(id, 'queued'), log);
      return grid;
    },

    /** A paused grid's queued experiments (and a cancelled grid's cancelled ones) are queued again. */
    async resume(id: string, log: ServiceLog): Promise<Grid> {
      const current = await repos.grids.get(id);
      if (current && current.status !== 'active') {
        const comingBack = [
          ...(await repos.grids.ownIds(id, 'queued')),
          ...(current.status === 'cancelled' ? await repos.grids.ownIds(id, 'cancelled') : []),
        ];
        await removeTrainingJobs(trainQueue, comingBack);
      }
      const grid = await repos.grids.resume(id);
      await flushOutbox(deps.outbox, log);
      return grid;
    },

    /** Failed experiments are queued again and resume from their newest checkpoint. */
    async retry(id: string, log: ServiceLog): Promise<Grid> {
      // Failed jobs stay in BullMQ for a month; they go before the new entries are written.
      await removeTrainingJobs(trainQueue, await repos.grids.ownIds(id, 'failed'));
      const grid = await repos.grids.retry(id);
      await flushOutbox(deps.outbox, log);
      return grid;
    },

    /** The grid's priority, that of its pending outbox entries and of its jobs still waiting. */
    async setPriority(id: string, priority: number): Promise<Grid> {
      const grid = await repos.grids.setPriority(id, priority);
      const queued = await repos.grids.ownIds(id, 'queued');
      for (let i = 0; i < queued.length; i += 64) {
        await Promise.all(
          queued.slice(i, i + 64).map(async (experimentId) => {
            const job = await trainQueue.getJob(experimentId);
            // A job already taken by a worker cannot change priority; that is fine.
            await job?.changePriority({ priority: jobPriority(priority) }).catch(() => {});
          }),
        );
      }
      return grid;
    },
  };
}

export type GridService = ReturnType<typeof gridService>;
