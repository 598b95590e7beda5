import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_CATALOG } from './catalog';
import { jobPriority } from './job-priority';

export type TrainQueue = Queue;

export function createTrainQueue(connection: Redis, prefix: string): TrainQueue {
  return new Queue(JOB_CATALOG.train.queue, { connection, prefix });
}

/**
 * Adds training jobs in one round trip. The job id is the experiment id: adding the same
 * experiment twice yields one job. `priority` is the API's (higher sooner), null for none.
 */
export async function enqueueTrainingBulk(
  queue: TrainQueue,
  items: { experimentId: string; priority: number | null }[],
): Promise<void> {
  if (items.length === 0) return;
  await queue.addBulk(
    items.map((item) => ({
      name: 'train',
      data: JOB_CATALOG.train.payload.parse({ experimentId: item.experimentId }),
      opts: {
        ...JOB_CATALOG.train.options,
        jobId: item.experimentId,
        ...(item.priority === null ? {} : { priority: jobPriority(item.priority) }),
      },
    })),
  );
}

/** Removes jobs whatever their state, except active ones (a worker holds their lock); for grids. */
export async function removeTrainingJobs(queue: TrainQueue, experimentIds: string[], concurrency = 64): Promise<void> {
  for (let i = 0; i < experimentIds.length; i += concurrency) {
    await Promise.all(experimentIds.slice(i, i + concurrency).map((id) => queue.remove(id)));
  }
}

/** Removes a job that has not started; returns false when it is running or unknown. */
export async function removeQueuedTraining(queue: TrainQueue, experimentId: string): Promise<boolean> {
  const job = await queue.getJob(experimentId);
  if (!job) return false;
  const state = await job.getState();
  if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
    await job.remove();
    return true;
  }
  return false;
}
