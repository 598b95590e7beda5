import { FINAL_STATUSES, type Repositories } from '@resnet-lab/db';
import type { Logger } from '@resnet-lab/logger';
import {
  ExperimentSpec,
  resolveTrainingSpec,
  type MetricValue,
  type TrainerEvent,
  type TrainJobPayload,
} from '@resnet-lab/spec';
import type { TrainerHandle, TrainerRun } from './trainer-process';

/** A failure that retrying cannot fix (bad spec, diverged loss): the job must not be retried. */
export class PermanentJobError extends Error {}

/**
 * The worker is shutting down mid-training: the experiment is back to queued and the job must be
 * put back without spending one of its attempts (it resumes from its last checkpoint).
 */
export class WorkerShutdownError extends Error {}

export interface TrainJobContext {
  logger: Logger;
  /** Aborted when this worker shuts down: the job stops and is retried elsewhere, resuming. */
  signal: AbortSignal;
  reportProgress: (progress: object) => Promise<void>;
  repos: Repositories;
  workerName: string;
  isLastAttempt: boolean;
  cancelPollMs: number;
  slotEnv: Record<string, string>;
  backend?: string;
  startTrainer: (run: TrainerRun) => TrainerHandle;
}

export type TrainJobOutcome = 'succeeded' | 'cancelled' | 'skipped';

/** Progress rows are written at most this often; every epoch is written regardless. */
const PROGRESS_WRITE_MS = 1_000;

/**
 * Runs one experiment: claims it, resumes from its newest checkpoint if an earlier attempt left
 * one, runs the trainer child, and records every epoch's metrics and checkpoint as they arrive.
 */
export async function processTrainJob(payload: TrainJobPayload, ctx: TrainJobContext): Promise<TrainJobOutcome> {
  const { repos, logger } = ctx;
  const id = payload.experimentId;
  const experiment = await repos.experiments.markRunning(id, ctx.workerName);
  if (!experiment) {
    const current = await repos.experiments.get(id);
    const final = current ? FINAL_STATUSES.includes(current.status) : true;
    if (current && !final && current.cancelRequested) {
      await repos.experiments.finish(id, 'cancelled');
    } else if (current?.status === 'running') {
      // Claimed by a worker that died, and its grid has been paused since: queued again, so that
      // resuming the grid runs it.
      await repos.experiments.requeue(id, 'grid paused');
    }
    logger.info({ status: current?.status ?? 'missing' }, 'experiment not runnable; job skipped');
    return 'skipped';
  }

  const parsed = ExperimentSpec.safeParse(experiment.spec);
  if (!parsed.success) {
    const message = `stored spec is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    await repos.experiments.finish(id, 'failed', message);
    throw new PermanentJobError(message);
  }
  const spec = parsed.data;
  const epochs = spec.training.epochs;
  const keepLast = resolveTrainingSpec(spec.training).keepLastCheckpoints;

  const latest = await repos.checkpoints.latest(id);
  const resume = latest ? await repos.checkpoints.read(id, latest.epoch) : null;
  if (resume) logger.info({ epoch: resume.info.epoch }, 'resuming from checkpoint');

  let lastProgressWrite = 0;
  const onEvent = async (event: TrainerEvent): Promise<void> => {
    switch (event.type) {
      case 'started':
        logger.info({ backend: event.backend, reason: event.backendReason }, 'trainer started');
        await repos.experiments.setBackend(id, event.backend);
        return;
      case 'progress': {
        const progress = {
          epoch: event.epoch,
          epochs,
          step: event.step,
          stepsPerEpoch: event.stepsPerEpoch,
          loss: event.loss,
        };
        await ctx.reportProgress(progress);
        if (Date.now() - lastProgressWrite >= PROGRESS_WRITE_MS) {
          lastProgressWrite = Date.now();
          await repos.experiments.setProgress(id, progress);
        }
        return;
      }
      case 'epoch': {
        await repos.metrics.recordEpoch(id, event.epoch, event.metrics);
        if (event.checkpoint) {
          await repos.checkpoints.save(
            id,
            event.epoch,
            event.checkpoint.bytes,
            event.checkpoint.sha256,
            validationError(event.metrics),
          );
          await repos.checkpoints.prune(id, keepLast);
        }
        const progress = { epoch: event.epoch, epochs };
        await repos.experiments.setProgress(id, progress);
        await ctx.reportProgress(progress);
        logger.info({ epoch: event.epoch, metrics: summarize(event.metrics) }, 'epoch finished');
        return;
      }
      default:
        return;
    }
  };

  const trainer = ctx.startTrainer({
    experimentId: id,
    spec,
    env: ctx.slotEnv,
    onEvent,
    ...(resume ? { resume: { epoch: resume.info.epoch, bytes: resume.bytes } } : {}),
    ...(ctx.backend ? { backend: ctx.backend } : {}),
  });

  let cancelled = false;
  const poll = setInterval(() => {
    repos.experiments
      .isCancelRequested(id)
      .then((requested) => {
        if (requested && !cancelled) {
          cancelled = true;
          logger.info('cancel requested; stopping trainer');
          trainer.abort();
        }
      })
      .catch((error) => logger.warn({ err: error }, 'cancel poll failed'));
  }, ctx.cancelPollMs);
  const onShutdown = () => trainer.abort();
  ctx.signal.addEventListener('abort', onShutdown);

  const exit = await trainer.exited.finally(() => {
    clearInterval(poll);
    ctx.signal.removeEventListener('abort', onShutdown);
  });

  switch (exit.kind) {
    case 'completed':
      await repos.experiments.finish(id, 'succeeded');
      return 'succeeded';
    case 'aborted':
      if (cancelled) {
        await repos.experiments.finish(id, 'cancelled');
        return 'cancelled';
      }
      await repos.experiments.requeue(id, 'worker shut down during training; will resume');
      throw new WorkerShutdownError('worker shut down during training');
    case 'failed':
      if (!exit.retryable) {
        await repos.experiments.finish(id, 'failed', exit.message);
        throw new PermanentJobError(exit.message);
      }
      return retryOrFail(ctx, id, exit.message);
    case 'crashed':
      return retryOrFail(ctx, id, exit.message);
  }
}

async function retryOrFail(ctx: TrainJobContext, id: string, message: string): Promise<never> {
  if (ctx.isLastAttempt) await ctx.repos.experiments.finish(id, 'failed', message);
  else await ctx.repos.experiments.requeue(id, message);
  throw new Error(message);
}

function validationError(metrics: MetricValue[]): number | null {
  return metrics.find((m) => m.split === 'validation' && m.name === 'error')?.value ?? null;
}

function summarize(metrics: MetricValue[]): Record<string, number> {
  return Object.fromEntries(metrics.map((m) => [`${m.split}.${m.name}`, Number(m.value.toPrecision(5))]));
}
