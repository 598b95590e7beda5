import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { removeQueuedTraining } from '@resnet-lab/queue';
import {
  ExperimentPage,
  ExperimentSpec,
  ExperimentView,
  IdParams,
  ListExperimentsQuery,
  MetricsQuery,
  MetricsResponse,
  ProblemDetails,
  specHash,
} from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import { etagOf, isNotModified } from '../http-cache';
import { singleFlight } from '../single-flight';
import { toExperimentView } from './experiment.view';

const problems = { 400: ProblemDetails, 404: ProblemDetails };

export const experimentsRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { repos } = deps;
  const readOne = singleFlight<{ etag: string; body: string } | null>();

  app.post(
    '/v1/experiments',
    {
      schema: {
        summary: 'Submit one experiment',
        description:
          'Validates the spec (every omitted field takes its default), stores it and queues it for training.',
        tags: ['experiments'],
        body: ExperimentSpec,
        response: { 201: ExperimentView, 400: ProblemDetails },
      },
    },
    async (request, reply) => {
      const spec = request.body;
      const experiment = await repos.experiments.createWithOutbox(spec, specHash(spec));
      // The row and its outbox entry are committed: the relay's timer sends the job later if Redis
      // is unreachable now, so the submission succeeds either way.
      await deps.outbox.flush().catch((error) => request.log.warn({ err: error }, 'outbox flush deferred'));
      return reply.status(201).send(toExperimentView(experiment));
    },
  );

  app.get(
    '/v1/experiments',
    {
      schema: {
        summary: 'List experiments, newest first',
        tags: ['experiments'],
        querystring: ListExperimentsQuery,
        response: { 200: ExperimentPage, 400: ProblemDetails },
      },
    },
    async (request) => {
      const page = await repos.experiments.list(request.query);
      return { items: page.items.map(toExperimentView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/experiments/:id',
    {
      schema: {
        summary: 'One experiment with its status and progress',
        description: 'Sends an ETag; a poll with If-None-Match gets 304 while nothing changed.',
        tags: ['experiments'],
        params: IdParams,
        response: { 200: ExperimentView, 304: z.null().describe('Not modified'), ...problems },
      },
    },
    async (request, reply) => {
      const found = await readOne(request.params.id, async () => {
        const row = await repos.experiments.get(request.params.id);
        // Tagged and serialised once per read, then shared by every request that waited on it.
        return row && { etag: etagOf(row.id, row.updatedAt.getTime()), body: JSON.stringify(toExperimentView(row)) };
      });
      if (!found) throw notFound('experiment', request.params.id);
      if (isNotModified(request, reply, found.etag)) return reply.status(304).send(null);
      // The body is already JSON of an ExperimentView (built by toExperimentView); the identity
      // serializer skips re-validating it per request, which is most of this route's CPU time.
      return reply
        .type('application/json; charset=utf-8')
        .serializer((payload) => payload as string)
        .send(found.body as unknown as ExperimentView);
    },
  );

  app.get(
    '/v1/experiments/:id/metrics',
    {
      schema: {
        summary: 'Per-epoch metrics of one experiment',
        tags: ['experiments'],
        params: IdParams,
        querystring: MetricsQuery,
        response: { 200: MetricsResponse, ...problems },
      },
    },
    async (request) => {
      const experiment = await repos.experiments.get(request.params.id);
      if (!experiment) throw notFound('experiment', request.params.id);
      const metrics = await repos.metrics.list(experiment.id, request.query);
      return { experimentId: experiment.id, backend: experiment.backend, metrics };
    },
  );

  app.post(
    '/v1/experiments/:id/cancel',
    {
      schema: {
        summary: 'Cancel an experiment',
        description:
          'A queued experiment is cancelled at once; a running one stops at its next batch and is then marked cancelled. Cancelling a finished experiment changes nothing.',
        tags: ['experiments'],
        params: IdParams,
        response: { 200: ExperimentView, ...problems },
      },
    },
    async (request) => {
      const experiment = await repos.experiments.requestCancel(request.params.id);
      if (!experiment) throw notFound('experiment', request.params.id);
      if (experiment.status === 'cancelled') {
        await removeQueuedTraining(deps.trainQueue, experiment.id).catch((error) =>
          request.log.warn({ err: error }, 'could not remove queued job; the worker will skip it'),
        );
      }
      return toExperimentView(experiment);
    },
  );
};
