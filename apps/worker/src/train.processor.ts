import { LeaseLostError, type Lease, type Repositories } from '@resnet-lab/db';
import type { Logger } from '@resnet-lab/logger';
import {
  ExperimentSpec,
  resolveExperiment,
  type DatasetAccess,
  type MetricValue,
  type TrainerEvent,
  type TrainJobPayload,
} from '@resnet-lab/spec';
import { earlyStopCheck } from './early-stop';
import { readInitCheckpoint } from './init-source';
import { threadsForAttempt, type ThreadPlan } from './thread-choice';
import type { TrainerHandle, TrainerRun } from './trainer-process';

/** A failure that retrying cannot fix (bad spec, diverged loss): the job must not be retried. */
export class PermanentJobError extends Error {}

/**
 * The worker is shutting down mid-training: the experiment is back to queued and the job must be
 * put back without spending one of its attempts (it resumes from its last checkpoint).
 */
export class WorkerShutdownError extends Error {}

/**
 * The attempt ended early but should not spend one of the job's attempts: it checkpointed new
 * epochs before it crashed, or its trainer was killed from outside (SIGKILL). The experiment is back
 * to queued; the job goes back to the queue after `delayMs`. The attempt budget exists to stop
 * crash loops (a bug that fails the same way every time); a run killed now and then (the OOM
 * killer, an operator, a preempted machine) must not fail for it.
 */
export class HandBackError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/**
 * Kills before any new checkpoint are handed back, at growing intervals, until the experiment has
 * been claimed this many times; after that they spend attempts like any crash (a kill loop, e.g.
 * the OOM killer every time, then fails after the job's attempts).
 */
export const MAX_CLAIMS_FOR_KILLS = 25;

/** Wait before a handed-back job runs again: 2 s after progress, doubling per claim after a kill. */
function handBackDelayMs(progressed: boolean, claims: number): number {
  return progressed ? 2_000 : Math.min(2_000 * 2 ** Math.max(0, claims - 1), 300_000);
}

export interface TrainJobContext {
  logger: Logger;
  /** Aborted when this worker shuts down: the job stops and is retried elsewhere, resuming. */
  signal: AbortSignal;
  repos: Repositories;
  workerName: string;
  isLastAttempt: boolean;
  /** How often the attempt checks for a cancel request or for having been superseded. */
  cancelPollMs: number;
  slotEnv: Record<string, string>;
  /** CPU slots: how many OpenMP threads an attempt may use; absent (GPU slots): the slot's env as is. */
  threadPlan?: ThreadPlan;
  backend?: string;
  /** DATASET_ROOTS and DATASET_MAX_FILE_MB, for the trainer child; absent: the defaults. */
  datasetAccess?: DatasetAccess;
  startTrainer: (run: TrainerRun) => TrainerHandle;
}

/**
 * superseded: another attempt claimed the experiment while this one ran (this worker lost the
 * job's lock, e.g. stalled or cut off from Redis); this attempt stopped and wrote nothing more.
 * stopped: its grid's early-stopping rule ended it.
 */
export type TrainJobOutcome = 'succeeded' | 'cancelled' | 'skipped' | 'superseded' | 'stopped';

/** Progress rows are written at most this often; every epoch is written regardless. */
const PROGRESS_WRITE_MS = 1_000;

/**
 * Runs one experiment as one fenced attempt: claims it (which returns the attempt's lease),
 * resumes from its newest checkpoint that verifies, runs the trainer child, and records every
 * epoch's metrics and checkpoint under the lease. Once another attempt has claimed the
 * experiment, every write of this one is refused (LeaseLostError) and it stops.
 */
export async function processTrainJob(payload: TrainJobPayload, ctx: TrainJobContext): Promise<TrainJobOutcome> {
  const { repos, logger } = ctx;
  const id = payload.experimentId;
  const claimed = await repos.experiments.claim(id, ctx.workerName);
  if (!claimed) {
    await settleUnclaimable(repos, id, logger);
    return 'skipped';
  }
  const { experiment, lease } = claimed;
  try {
    return await runAttempt(experiment.spec, lease, ctx);
  } catch (error) {
    if (error instanceof LeaseLostError) {
      logger.warn({ err: error }, 'attempt superseded; stopped without writing more');
      return 'superseded';
    }
    throw error;
  }
}

/**
 * A delivered job whose experiment cannot be claimed. Normally there is nothing to do (finished,
 * cancelled, or its grid paused while queued). A row left `running` by a worker that died is
 * settled here: cancelled if a cancel was requested meanwhile, else queued again (its grid was
 * paused) so that resuming the grid runs it.
 */
async function settleUnclaimable(repos: Repositories, id: string, logger: Logger): Promise<void> {
  const current = await repos.experiments.get(id);
  if (current?.status === 'running') {
    const event = current.cancelRequested ? 'stopCancelled' : 'requeue';
    await repos.experiments
      .transition(id, event, {
        data: event === 'stopCancelled' ? { finishedAt: new Date() } : { error: 'grid paused' },
      })
      .catch((error) => logger.warn({ err: error }, 'could not settle an orphaned running experiment'));
  }
  logger.info({ status: current?.status ?? 'missing' }, 'experiment not runnable; job skipped');
}

async function runAttempt(storedSpec: unknown, lease: Lease, ctx: TrainJobContext): Promise<TrainJobOutcome> {
  const { repos, logger } = ctx;
  const parsed = ExperimentSpec.safeParse(storedSpec);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const message = `stored spec is invalid: ${issues.join('; ')}`;
    await repos.experiments.finish(lease, 'fail', message);
    throw new PermanentJobError(message);
  }
  const experiment = resolveExperiment(parsed.data);
  const { epochs, keepLastCheckpoints } = experiment.training;

  const resume = await repos.checkpoints.newestValid(lease.experimentId, (error) =>
    logger.warn({ err: error }, 'damaged checkpoint skipped; resuming from an earlier one'),
  );
  const resumeEpoch = resume?.info.epoch ?? 0;
  if (resume) logger.info({ epoch: resumeEpoch }, 'resuming from checkpoint');
  // Epochs after the resume point were recorded by an attempt that died before checkpointing them
  // (or whose checkpoint is damaged): they are trained again, so their old rows go.
  await repos.metrics.removeAfter(lease, resumeEpoch);
  await repos.checkpoints.removeAfter(lease, resumeEpoch);
  await repos.stopping.removeAfter(lease, resumeEpoch);
  await repos.testScores.removeAfter(lease, resumeEpoch);

  // A warm start reads its source checkpoint on a fresh start only: a resume has its own weights.
  const init =
    parsed.data.init && 'experiment' in parsed.data.init.from && !resume
      ? await readInitCheckpoint(repos, parsed.data.init.from, (error) =>
          logger.warn({ err: error }, 'damaged checkpoint of the warm-start source skipped'),
        )
      : undefined;
  if (typeof init === 'string') {
    await repos.experiments.finish(lease, 'fail', init);
    throw new PermanentJobError(init);
  }

  const threads = ctx.threadPlan ? await threadsForAttempt(ctx.threadPlan, resume?.bytes) : null;
  if (threads) logger.info({ threads: threads.count, reason: threads.reason }, 'threads chosen');

  const stopEarly = await earlyStopCheck(repos, lease, epochs, logger);
  let stopReason: 'cancel' | 'superseded' | 'early' | null = null;
  let lastProgressWrite = 0;
  // Whether this attempt checkpointed a new epoch: a crash after that does not spend an attempt.
  let progressed = false;
  const onEvent = async (event: TrainerEvent): Promise<void> => {
    // Once the rule stopped it, what the trainer still reports before the abort reaches it is not
    // recorded: a stopped member's rows end at the epoch it was judged on, as the rule's peers see it.
    if (stopReason === 'early') return;
    switch (event.type) {
      case 'started': {
        // The thread count is the native engine's; how it was chosen goes with the backend's reason.
        const reason =
          threads && event.backend === 'onednn'
            ? [event.backendReason, threads.reason].filter(Boolean).join('; ')
            : (event.backendReason ?? null);
        logger.info({ backend: event.backend, reason }, 'trainer started');
        await repos.experiments.setBackend(lease, event.backend, reason);
        return;
      }
      case 'initialized':
        await repos.experiments.setInitReport(lease, event.report);
        return;
      case 'progress': {
        if (Date.now() - lastProgressWrite >= PROGRESS_WRITE_MS) {
          lastProgressWrite = Date.now();
          const { epoch, step, stepsPerEpoch, loss } = event;
          await repos.experiments.setProgress(lease, { epoch, epochs, step, stepsPerEpoch, loss });
        }
        return;
      }
      case 'epoch': {
        await repos.metrics.recordEpoch(lease, event.epoch, event.metrics);
        if (event.testScores) await repos.testScores.save(lease, event.epoch, event.testScores);
        if (event.checkpoint) {
          const { bytes, sha256 } = event.checkpoint;
          await repos.checkpoints.save(lease, event.epoch, bytes, sha256, validationError(event.metrics));
          progressed = true;
          await repos.checkpoints.prune(lease, keepLastCheckpoints);
        }
        await repos.experiments.setProgress(lease, { epoch: event.epoch, epochs });
        logger.info({ epoch: event.epoch, metrics: summarize(event.metrics) }, 'epoch finished');
        // A cancel that came while the rule was deciding wins: the user asked for it.
        if (stopEarly && !stopReason && (await stopEarly(event.epoch)) && !stopReason) {
          stopReason = 'early';
          trainer.abort();
        }
        return;
      }
      default:
        return;
    }
  };

  const trainer = ctx.startTrainer({
    experimentId: lease.experimentId,
    experiment,
    env: threads ? { ...ctx.slotEnv, OMP_NUM_THREADS: String(threads.count) } : ctx.slotEnv,
    onEvent,
    ...(resume ? { resume: { epoch: resumeEpoch, bytes: resume.bytes } } : {}),
    ...(init ? { init } : {}),
    ...(ctx.backend ? { backend: ctx.backend } : {}),
    ...(ctx.datasetAccess ? { datasetAccess: ctx.datasetAccess } : {}),
  });

  const poll = setInterval(() => {
    repos.experiments
      .attemptState(lease)
      .then((state) => {
        if (state === 'run' || stopReason) return;
        stopReason = state;
        logger.info(state === 'cancel' ? 'cancel requested; stopping trainer' : 'attempt superseded; stopping trainer');
        trainer.abort();
      })
      .catch((error) => logger.warn({ err: error }, 'cancel poll failed'));
  }, ctx.cancelPollMs);
  const onShutdown = () => trainer.abort();
  ctx.signal.addEventListener('abort', onShutdown);
  // A shutdown that began while this job was being claimed has already fired its event: without
  // this check the trainer would run on until the process manager's SIGKILL.
  if (ctx.signal.aborted) onShutdown();

  const exit = await trainer.exited.finally(() => {
    clearInterval(poll);
    ctx.signal.removeEventListener('abort', onShutdown);
  });
  if (stopReason === 'superseded') return 'superseded';
  if (exit.kind === 'crashed' && exit.cause instanceof LeaseLostError) throw exit.cause;
  // Stopped by the rule, however the trainer then ended (aborted at its next batch, killed after
  // the abort's grace period, or failing meanwhile); one that finished its last epoch first succeeded.
  if (stopReason === 'early' && exit.kind !== 'completed') {
    await repos.experiments.finish(lease, 'stopEarly');
    return 'stopped';
  }

  switch (exit.kind) {
    case 'completed':
      await repos.experiments.finish(lease, 'succeed');
      return 'succeeded';
    case 'aborted':
      if (stopReason === 'cancel') {
        await repos.experiments.finish(lease, 'stopCancelled');
        return 'cancelled';
      }
      await repos.experiments.requeue(lease, 'worker shut down during training; will resume');
      throw new WorkerShutdownError('worker shut down during training');
    case 'failed':
      if (!exit.retryable) {
        await repos.experiments.finish(lease, 'fail', exit.message);
        throw new PermanentJobError(exit.message);
      }
      return retryOrFail(ctx, lease, exit.message, progressed, false);
    case 'crashed':
      return retryOrFail(ctx, lease, exit.message, progressed, exit.signal === 'SIGKILL');
  }
}

async function retryOrFail(
  ctx: TrainJobContext,
  lease: Lease,
  message: string,
  progressed: boolean,
  killed: boolean,
): Promise<never> {
  if (progressed || (killed && lease.lease < MAX_CLAIMS_FOR_KILLS)) {
    const why = progressed ? 'after new checkpoints' : 'killed from outside';
    await ctx.repos.experiments.requeue(lease, `${message} (${why}: resumes without spending an attempt)`);
    throw new HandBackError(message, handBackDelayMs(progressed, lease.lease));
  }
  if (ctx.isLastAttempt) await ctx.repos.experiments.finish(lease, 'fail', message);
  else await ctx.repos.experiments.requeue(lease, message);
  throw new Error(message);
}

function validationError(metrics: MetricValue[]): number | null {
  return metrics.find((m) => m.split === 'validation' && m.name === 'error')?.value ?? null;
}

function summarize(metrics: MetricValue[]): Record<string, number> {
  return Object.fromEntries(metrics.map((m) => [`${m.split}.${m.name}`, Number(m.value.toPrecision(5))]));
}
