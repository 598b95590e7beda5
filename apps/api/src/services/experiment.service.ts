import type { Experiment, Repositories } from '@resnet-lab/db';
import { removeQueuedTraining, type OutboxRelay, type TrainQueue } from '@resnet-lab/queue';
import { resolveExperiment, type ExperimentSpec } from '@resnet-lab/spec';
import { flushOutbox, type ServiceLog } from './service-support';

/**
 * A single experiment's lifecycle changes, each as one unit (transaction, then queue and outbox
 * flush); see grid.service.ts. Errors: NotFoundError, IllegalTransitionError.
 */
export function experimentService(deps: { repos: Repositories; trainQueue: TrainQueue; outbox: OutboxRelay }) {
  const { repos } = deps;
  return {
    /**
     * Stores the experiment with its outbox entry in one transaction; the job is sent now, or by
     * the relay's timer if Redis is unreachable, so the submission succeeds either way.
     */
    async submit(spec: ExperimentSpec, project: string, log: ServiceLog): Promise<Experiment> {
      const experiment = await repos.experiments.createWithOutbox(spec, resolveExperiment(spec).hash, project);
      await flushOutbox(deps.outbox, log);
      return experiment;
    },

    /** Queued: cancelled at once, its job removed. Running: flagged; its worker stops it. */
    async cancel(id: string, log: ServiceLog): Promise<Experiment> {
      const experiment = await repos.experiments.requestCancel(id);
      if (experiment.status === 'cancelled') {
        await removeQueuedTraining(deps.trainQueue, experiment.id).catch((error: unknown) =>
          log.warn({ err: error }, 'could not remove queued job; the worker will skip it'),
        );
      }
      return experiment;
    },
  };
}
