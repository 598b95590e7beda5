import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeModel } from '@resnet-lab/models';
import {
  ExperimentPage,
  ExperimentSpec,
  ExperimentView,
  IdParams,
  ListExperimentsQuery,
  MetricsQuery,
  MetricsResponse,
  ModelDescriptionView,
  ProblemDetails,
  resolveExperiment,
} from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import { submitProject } from '../plugins/project-scope.plugin';
import { etagOf, isNotModified } from '../http-cache';
import { experimentService } from '../services/experiment.service';
import { idempotencyService } from '../services/idempotency.service';
import type { SubmitGuard } from '../services/submit-guards';
import type { DatasetAccess } from '@resnet-lab/spec';
import { checkTestProtocols } from '../services/test-protocol-guard';
import { checkWarmStarts } from '../services/warm-start-guard';
import { singleFlight } from '../single-flight';
import { toExperimentView } from './experiment.view';
import { IdempotencyKeyHeaders, idempotentRequest, sendAnswer } from './idempotency';

const problems = { 400: ProblemDetails, 404: ProblemDetails, 409: ProblemDetails };

export const experimentsRoutes: FastifyPluginAsyncZod<
  AppDeps & { submitGuard: SubmitGuard; datasetAccess?: DatasetAccess }
> = async (app, deps) => {
  const { repos } = deps;
  const experiments = experimentService(deps);
  const idempotency = idempotencyService(repos.idempotency);
  const readOne = singleFlight<{ etag: string; body: string } | null>();

  app.post(
    '/v1/experiments',
    {
      schema: {
        summary: 'Submit one experiment',
        description:
          'Validates the spec (every omitted field takes its default), stores it and queues it for training. ' +
          "A spec whose training cannot fit a worker's memory (WORKER_MEMORY_MB) is refused with a 400. " +
          'With an Idempotency-Key, a repeat gets the first answer and no second experiment.',
        tags: ['experiments'],
        headers: IdempotencyKeyHeaders,
        body: ExperimentSpec,
        response: { 201: ExperimentView, 400: ProblemDetails, 409: ProblemDetails },
      },
    },
    async (request, reply) =>
      sendAnswer(
        reply,
        await idempotency.run(idempotentRequest(request), request.log, async () => {
          deps.submitGuard.checkExperiment(request.body);
          await checkWarmStarts([{ spec: request.body }], request.project ?? undefined, repos, deps.datasetAccess);
          checkTestProtocols([{ spec: request.body }]);
          return {
            status: 201,
            body: toExperimentView(await experiments.submit(request.body, submitProject(request), request.log)),
          };
        }),
      ),
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
      const page = await repos.experiments.list(request.query, request.project ?? undefined);
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

  app.get(
    '/v1/experiments/:id/model',
    {
      schema: {
        summary: "The experiment's network: parameters, FLOPs and layer table",
        description:
          'The network its spec resolves to (input size, channels and classes from its dataset), described ' +
          'analytically as POST /v1/architectures/describe does: nothing is built or trained.',
        tags: ['experiments'],
        params: IdParams,
        response: { 200: ModelDescriptionView, ...problems },
      },
    },
    async (request) => {
      const experiment = await repos.experiments.get(request.params.id);
      if (!experiment) throw notFound('experiment', request.params.id);
      // Stored specs were validated at submit; parsing again fills defaults added since.
      return describeModel(resolveExperiment(ExperimentSpec.parse(experiment.spec)).architecture);
    },
  );

  app.post(
    '/v1/experiments/:id/cancel',
    {
      schema: {
        summary: 'Cancel an experiment',
        description:
          'A queued experiment is cancelled at once; a running one stops at its next batch and is then marked ' +
          'cancelled. Cancelling a cancelled experiment changes nothing; a succeeded or failed one answers 409.',
        tags: ['experiments'],
        params: IdParams,
        response: { 200: ExperimentView, ...problems },
      },
    },
    async (request) => toExperimentView(await experiments.cancel(request.params.id, request.log)),
  );
};
