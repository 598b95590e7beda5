import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DryRunResponse,
  GridExperimentsPage,
  type GridExpansion,
  GridExperimentsQuery,
  GridPage,
  GridPatch,
  GridSubmission,
  GridSubmitQuery,
  GridSubmitResponse,
  GridView,
  IdParams,
  ListGridsQuery,
  PRESET_CATALOG,
  ProblemDetails,
} from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { bodyCache, JsonText } from '../body-cache';
import { notFound } from '../errors';
import { etagOf, isNotModified } from '../http-cache';
import { createModelCoster } from '../services/cost.estimator';
import { checkEarlyStopping } from '../services/early-stopping-guard';
import { activeSlots, scaleForBudget, workersBackend, workersCalibration } from '../services/grid-budget';
import { costGrid, predictedSeconds } from '../services/grid-cost';
import type { SubmitGuard } from '../services/submit-guards';
import type { DatasetAccess } from '@resnet-lab/spec';
import { linkGridSources } from '../services/grid-sources';
import { checkTestProtocols } from '../services/test-protocol-guard';
import { checkWarmStarts } from '../services/warm-start-guard';
import { createGridExpander } from '../services/grid-definition';
import { submitProject } from '../plugins/project-scope.plugin';
import { gridService } from '../services/grid.service';
import { idempotencyService } from '../services/idempotency.service';
import { loadGridState } from './grid.view';
import { IdempotencyKeyHeaders, idempotentRequest, sendAnswer } from './idempotency';

export interface GridRoutesOptions extends AppDeps {
  /** Most distinct experiments one grid may hold (GRID_MAX_EXPERIMENTS). */
  gridMaxExperiments: number;
  submitGuard: SubmitGuard;
  /** Where warm-start model directories may be read (parsed at submit where visible). */
  datasetAccess?: DatasetAccess;
}

const problems = { 400: ProblemDetails, 404: ProblemDetails, 409: ProblemDetails };

export const gridsRoutes: FastifyPluginAsyncZod<GridRoutesOptions> = async (app, deps) => {
  const { repos } = deps;
  const costDeps = {
    experiments: repos.experiments,
    cost: createModelCoster(),
    workersBackend: () => workersBackend(repos.workers),
    workersCalibration: (backend: string) => workersCalibration(repos.workers, backend),
  };
  const grids = gridService(deps);
  const idempotency = idempotencyService(repos.idempotency);
  const expander = createGridExpander();
  // Pages of a few grids' current versions (a 1,000-experiment page is about 2 MB).
  const memberPages = bodyCache(32 * 2 ** 20);
  app.addHook('onClose', () => expander.close());

  const stateOr404 = async (id: string) => {
    const state = await loadGridState(repos, id);
    if (!state) throw notFound('grid', id);
    return state;
  };

  app.get(
    '/v1/presets',
    {
      schema: {
        summary: 'The preset grids (POST /v1/grids with `preset` and `scale`)',
        tags: ['grids'],
        response: { 200: z.array(z.object({ name: z.string(), description: z.string(), source: z.string() })) },
      },
    },
    async () => Object.values(PRESET_CATALOG),
  );

  app.post(
    '/v1/grids',
    {
      schema: {
        summary: 'Submit a grid of experiments (or cost it with ?dryRun=true)',
        description:
          'Expands `base` over the cartesian `axes`, `zip` groups (paths varying together) minus `exclude` ' +
          'rules, optionally sampling `sample.n` points. ' +
          'Axes that do not apply to a point collapse (a plain net has no shortcut kernel), ' +
          'and points that normalise to the same network and seed are one experiment. ' +
          'Every point is validated before anything is stored: one 400 lists every bad point with its field, ' +
          "index and values (a point whose training cannot fit a worker's memory is a bad point). " +
          'A point whose canonical spec already succeeded is linked, not retrained, unless `force` is true. ' +
          'With `preset` (and `scale`, 1 = paper size) the preset supplies base and axes; ' +
          'given fields are merged over it. ' +
          '`priority` 0..1000: higher runs sooner. With `?dryRun=true` nothing is stored and the answer gives ' +
          'the totals (experiments, reuse, estimated seconds) and one page of points with parameters, FLOPs ' +
          'and estimated seconds: `points` of them (default 50, at most 1000) from `offset`.',
        tags: ['grids'],
        headers: IdempotencyKeyHeaders,
        querystring: GridSubmitQuery,
        body: GridSubmission,
        response: { 201: GridSubmitResponse, 200: DryRunResponse, 400: ProblemDetails, 409: ProblemDetails },
      },
    },
    async (request, reply) => {
      const backend = request.query.backend;
      const pointCosts = { ...costDeps, ...(backend ? { backend } : {}) };
      const reusableFor = (expansion: GridExpansion) =>
        request.body.force
          ? Promise.resolve(new Map<string, string>())
          : repos.grids.succeededByHash(
              expansion.points.map((p) => p.specHash),
              submitProject(request),
            );
      const budget =
        request.body.budget === undefined
          ? undefined
          : await scaleForBudget(request.body, {
              ...pointCosts,
              expand: (body) => expander.expand(body, deps.gridMaxExperiments),
              reusable: reusableFor,
              activeSlots: () => activeSlots(repos.workers),
            });
      // Stored with the scale picked and without the budget: the definition resubmits as it ran.
      const body = budget ? { ...withoutBudget(request.body), scale: budget.scale } : request.body;
      const expansion = await expander.expand(body, deps.gridMaxExperiments);
      // Before the dry run too: a dry run must refuse what the submit would.
      await deps.submitGuard.checkGrid(expansion);
      checkEarlyStopping(body.earlyStopping, expansion);
      await checkWarmStarts(expansion.points, request.project ?? undefined, repos, deps.datasetAccess);
      checkTestProtocols(expansion.points);
      const { expansion: linked, reusable } = await linkGridSources(
        expansion,
        await reusableFor(expansion),
        (hashes) =>
          request.body.force
            ? Promise.resolve(new Map<string, string>())
            : repos.grids.succeededByHash(hashes, submitProject(request)),
      );
      if (request.query.dryRun) {
        return reply.status(200).send({
          ...(await costGrid(linked, reusable, pointCosts, {
            offset: request.query.offset,
            limit: request.query.points,
          })),
          ...(budget ? { budget } : {}),
        });
      }
      // A dry run (above) stores no key: it creates nothing that a repeat could duplicate.
      const answer = await idempotency.run(idempotentRequest(request), request.log, async () => {
        const predicted = await predictedSeconds(linked, reusable, pointCosts, request.log);
        const created = await grids.submit(body, linked, reusable, predicted, submitProject(request), request.log);
        const state = await stateOr404(created.grid.id);
        return {
          status: 201,
          body: {
            grid: state.view,
            created: created.created,
            reused: created.reused,
            duplicates: linked.duplicates,
            excluded: linked.excluded,
            ...(budget ? { budget } : {}),
          },
        };
      });
      return sendAnswer(reply, answer);
    },
  );

  app.get(
    '/v1/grids',
    {
      schema: {
        summary: 'List grids, newest first',
        tags: ['grids'],
        querystring: ListGridsQuery,
        response: { 200: GridPage, 400: ProblemDetails },
      },
    },
    async (request) => {
      const page = await repos.grids.list(request.query, request.project ?? undefined);
      const items = [];
      for (const grid of page.items) items.push((await stateOr404(grid.id)).view);
      return { items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/grids/:id',
    {
      schema: {
        summary: 'A grid with status counts and progress',
        description: 'Sends an ETag; a poll with If-None-Match gets 304 while nothing changed.',
        tags: ['grids'],
        params: IdParams,
        response: { 200: GridView, 304: z.null().describe('Not modified'), ...problems },
      },
    },
    async (request, reply) => {
      const state = await stateOr404(request.params.id);
      if (isNotModified(request, reply, state.version)) return reply.status(304).send(null);
      return state.view;
    },
  );

  app.patch(
    '/v1/grids/:id',
    {
      schema: {
        summary: "Change a grid's priority (its queued jobs are re-prioritised)",
        tags: ['grids'],
        params: IdParams,
        body: GridPatch,
        response: { 200: GridView, ...problems },
      },
    },
    async (request) => {
      const grid = await grids.setPriority(request.params.id, request.body.priority);
      return (await stateOr404(grid.id)).view;
    },
  );

  app.get(
    '/v1/grids/:id/experiments',
    {
      schema: {
        summary: "A grid's experiments in expansion order, with their axis values",
        description: 'Sends an ETag; a poll with If-None-Match gets 304 while nothing changed.',
        tags: ['grids'],
        params: IdParams,
        querystring: GridExperimentsQuery,
        response: { 200: GridExperimentsPage, 304: z.null().describe('Not modified'), ...problems },
      },
    },
    async (request, reply) => {
      const state = await stateOr404(request.params.id);
      const etag = etagOf('members', state.version, request.query);
      if (isNotModified(request, reply, etag)) return reply.status(304).send(null);
      const body = await memberPages(
        etag,
        async () => {
          const page = await repos.grids.memberPageJson(request.params.id, request.query);
          return new JsonText(`{"items":${page.itemsJson},"nextAfter":${JSON.stringify(page.nextAfter)}}`);
        },
        state.view.done,
      );
      // Built to the GridExperimentsPage shape; validating 1,000 experiment views per request
      // would cost more than reading them.
      return reply
        .type('application/json; charset=utf-8')
        .serializer((payload) => payload as string)
        .send(body as unknown as z.infer<typeof GridExperimentsPage>);
    },
  );

  app.post(
    '/v1/grids/:id/cancel',
    {
      schema: {
        summary: 'Cancel a grid',
        description:
          'Queued experiments are cancelled and their jobs removed at once; ' +
          'running ones stop at their next batch and are then marked cancelled.',
        tags: ['grids'],
        params: IdParams,
        response: { 200: GridView, ...problems },
      },
    },
    async (request) => (await stateOr404((await grids.cancel(request.params.id, request.log)).id)).view,
  );

  app.post(
    '/v1/grids/:id/pause',
    {
      schema: {
        summary: 'Pause a grid: no new experiment of it starts; running ones finish',
        tags: ['grids'],
        params: IdParams,
        response: { 200: GridView, ...problems },
      },
    },
    async (request) => (await stateOr404((await grids.pause(request.params.id, request.log)).id)).view,
  );

  app.post(
    '/v1/grids/:id/resume',
    {
      schema: {
        summary: 'Resume a paused grid: its queued experiments are queued again',
        tags: ['grids'],
        params: IdParams,
        response: { 200: GridView, ...problems },
      },
    },
    async (request) => (await stateOr404((await grids.resume(request.params.id, request.log)).id)).view,
  );

  app.post(
    '/v1/grids/:id/retry',
    {
      schema: {
        summary: "Retry a grid's failed experiments",
        description:
          'Failed experiments go back to the queue (resuming from their newest checkpoint); ' +
          'a cancelled grid becomes active again.',
        tags: ['grids'],
        params: IdParams,
        response: { 200: GridView, ...problems },
      },
    },
    async (request) => (await stateOr404((await grids.retry(request.params.id, request.log)).id)).view,
  );
};

function withoutBudget(body: GridSubmission): GridSubmission {
  const { budget: _budget, ...rest } = body;
  return rest;
}
