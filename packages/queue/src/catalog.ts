import { TRAIN_QUEUE, TrainJobPayload } from '@resnet-lab/spec';
import type { JobsOptions } from 'bullmq';

/**
 * Every job the system knows: its queue, payload schema and retry policy. The API produces from
 * here and the worker consumes from here, so both sides agree on names and shapes.
 */
export const JOB_CATALOG = {
  train: {
    queue: TRAIN_QUEUE,
    payload: TrainJobPayload,
    options: {
      // Attempts that crash before checkpointing anything new; one that made progress is put back
      // without spending one (apps/worker/src/agent.ts). Five, like Determined's max_restarts.
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      // Kept for a week so that a repeated add with the same job id (an outbox replay) collapses
      // instead of training the experiment again.
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    } satisfies JobsOptions,
  },
} as const;
