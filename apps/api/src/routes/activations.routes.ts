import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  type DatasetAccess,
  ActivationLayersQuery,
  ActivationLayersResponse,
  ActivationMapsResponse,
  ActivationQuery,
  IdParams,
  ProblemDetails,
} from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { activationsService } from '../services/activations.service';
import { ThreadPool } from '../services/thread-pool';

const problems = { 400: ProblemDetails, 404: ProblemDetails, 503: ProblemDetails };

export interface ActivationsOptions {
  /** Compute threads, requests that may wait for one, and the deadline of each (waiting included). */
  threads?: number;
  maxQueued?: number;
  timeoutMs?: number;
  /** Where the test images may be read from (DATASET_ROOTS) and how large a file may be. */
  datasetAccess?: DatasetAccess;
}

/**
 * "Inside a network": the layers of an experiment's network and their activation maps for a test
 * image. The maps are computed on a worker thread (services/thread-pool.ts), never on this event
 * loop; the threads end with the app.
 */
export const activationsRoutes: FastifyPluginAsyncZod<AppDeps & ActivationsOptions> = async (app, deps) => {
  const pool = new ThreadPool({
    entry: new URL('../services/activation-thread.ts', import.meta.url),
    size: deps.threads ?? 1,
    maxQueued: deps.maxQueued ?? 4,
    timeoutMs: deps.timeoutMs ?? 60_000,
    idleMs: 120_000,
  });
  app.addHook('onClose', () => pool.close());
  const service = activationsService({
    repos: deps.repos,
    pool,
    ...(deps.datasetAccess ? { datasetAccess: deps.datasetAccess } : {}),
  });

  app.get(
    '/v1/experiments/:id/activations/layers',
    {
      schema: {
        summary: "The layers of an experiment's network whose activation maps can be shown",
        description:
          'Skip-connection sums (`role: skip-add`) and block outputs (`block-output`) are marked. ' +
          '`?epoch=` picks the checkpoint (default: the newest); `testImages` is how many test images there are.',
        tags: ['activations'],
        params: IdParams,
        querystring: ActivationLayersQuery,
        response: { 200: ActivationLayersResponse, ...problems },
      },
    },
    async (request) => service.layers(request.params.id, request.query.epoch),
  );

  app.get(
    '/v1/experiments/:id/activations',
    {
      schema: {
        summary: 'Activation maps of one layer for one test image at one checkpoint',
        description:
          'Each channel is normalised on its own (its min..max to 0..255; the ranges are returned) and sent as ' +
          'base64 bytes. At most 64 channels (`firstChannel`, `channels`) of at most 64x64 (larger maps are ' +
          'subsampled). Computed on a worker thread: 503 when too many requests wait or one takes too long.',
        tags: ['activations'],
        params: IdParams,
        querystring: ActivationQuery,
        response: { 200: ActivationMapsResponse, ...problems },
      },
    },
    async (request) => service.maps(request.params.id, request.query),
  );
};
