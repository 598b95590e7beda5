import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Repositories } from '@resnet-lab/db';
import type { Logger } from '@resnet-lab/logger';
import { createRedisConnection, JOB_CATALOG } from '@resnet-lab/queue';
import { TrainJobPayload, type DatasetAccess } from '@resnet-lab/spec';
import type { SlotBoard } from './heartbeat';
import type { SlotPool } from './slots';
import {
  HandBackError,
  MAX_CLAIMS_FOR_KILLS,
  PermanentJobError,
  processTrainJob,
  WorkerShutdownError,
} from './train.processor';
import { startTrainer } from './trainer-process';

export interface AgentOptions {
  redisUrl: string;
  queuePrefix: string;
  workerName: string;
  cancelPollMs: number;
  lockMs: number;
  backend?: string;
  /** DATASET_ROOTS and DATASET_MAX_FILE_MB: what the trainers may read. */
  datasetAccess?: DatasetAccess;
  slots: SlotPool;
  /** Where the heartbeat reads what each slot runs; absent: nothing is reported. */
  board?: SlotBoard;
  repos: Repositories;
  logger: Logger;
}

export interface Agent {
  worker: Worker;
  /** Stops taking jobs, stops running trainers (they resume elsewhere later) and closes. */
  close(): Promise<void>;
}

/**
 * The BullMQ side of the worker: one consumer with one concurrent job per slot. It adapts a job
 * to `processTrainJob(payload, ctx)` and turns permanent failures into BullMQ's no-retry error.
 */
export function startAgent(options: AgentOptions): Agent {
  const shutdown = new AbortController();
  const { slots, logger, board } = options;

  const processor = async (job: Job, token?: string) => {
    const parsed = TrainJobPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed job payload: ${parsed.error.message}`);
    const payload = parsed.data;
    const slot = slots.acquire();
    const jobLogger = logger.child({
      experimentId: payload.experimentId,
      jobId: job.id,
      attempt: job.attemptsMade + 1,
      slot: slot.label,
    });
    board?.take(slot, payload.experimentId);
    if (board) {
      // The payload names only the experiment; its grid is looked up for the heartbeat, off the job's path.
      void options.repos.experiments
        .get(payload.experimentId)
        .then((e) => board.setGrid(slot, payload.experimentId, e?.gridId ?? null))
        .catch((err) => jobLogger.debug({ err }, 'could not look up the grid of the job'));
    }
    try {
      return await processTrainJob(payload, {
        logger: jobLogger,
        signal: shutdown.signal,
        repos: options.repos,
        workerName: options.workerName,
        isLastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        cancelPollMs: options.cancelPollMs,
        slotEnv: slot.env,
        ...(slot.threads ? { threadPlan: slot.threads } : {}),
        startTrainer: board
          ? (run) =>
              startTrainer({
                ...run,
                onEvent: (event) => {
                  board.observe(slot, run.experimentId, run.experiment.training.epochs, event);
                  return run.onEvent(event);
                },
              })
          : startTrainer,
        ...(options.backend ? { backend: options.backend } : {}),
        ...(options.datasetAccess ? { datasetAccess: options.datasetAccess } : {}),
      });
    } catch (error) {
      if (error instanceof WorkerShutdownError) {
        // Back to the queue at once, without spending an attempt.
        jobLogger.info('job handed back to the queue for another worker');
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (error instanceof HandBackError) {
        // Progress made, or killed from outside: back to the queue without spending an attempt.
        jobLogger.warn({ err: error, delayMs: error.delayMs }, 'training ended early; handed back without an attempt');
        await job.moveToDelayed(Date.now() + error.delayMs, token);
        throw new DelayedError();
      }
      jobLogger.warn({ err: error }, 'training job failed');
      if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
      throw error;
    } finally {
      board?.release(slot);
      slots.release(slot);
    }
  };

  // BullMQ does not close a connection it was given: this module owns it and quits it on close.
  const connection = createRedisConnection(options.redisUrl, 'worker');
  const worker = new Worker(JOB_CATALOG.train.queue, processor, {
    connection,
    prefix: options.queuePrefix,
    concurrency: slots.size,
    // The lock is renewed by this (responsive) process while a child trains; a dead worker's jobs
    // are picked up again after it expires, and resume from their last checkpoint.
    lockDuration: options.lockMs,
    stalledInterval: options.lockMs,
    // A job stalls when the worker holding it dies (the trainer runs in a child, so this process's
    // event loop stays free): like a trainer killed from outside, that must not fail the run until
    // it happened as often as MAX_CLAIMS_FOR_KILLS allows.
    maxStalledCount: MAX_CLAIMS_FOR_KILLS,
  });
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  // However a job ends for good (last attempt, no-retry error, stalled too often while its worker
  // was gone), its experiment must not stay queued or running.
  worker.on('failed', (job, error) => {
    if (!job) return;
    void (async () => {
      if ((await job.getState()) !== 'failed') return;
      const id = (job.data as { experimentId?: string }).experimentId;
      if (id) await options.repos.experiments.abandon(id, error.message);
    })().catch((err) => logger.warn({ err, jobId: job.id }, 'could not record the failed job'));
  });

  return {
    worker,
    async close() {
      shutdown.abort();
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
