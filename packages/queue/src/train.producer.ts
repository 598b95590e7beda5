import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_CATALOG } from './catalog';

export type TrainQueue = Queue;

export function createTrainQueue(connection: Redis, prefix: string): TrainQueue {
  return new Queue(JOB_CATALOG.train.queue, { connection, prefix });
}

/** The job id is the experiment id: adding the same experiment twice yields one job. */
export async function enqueueTraining(
  queue: TrainQueue,
  experimentId: string,
  options: { priority?: number } = {},
): Promise<void> {
  const payload = JOB_CATALOG.train.payload.parse({ experimentId });
  await queue.add('train', payload, {
    ...JOB_CATALOG.train.options,
    jobId: experimentId,
    ...(options.priority ? { priority: options.priority } : {}),
  });
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
