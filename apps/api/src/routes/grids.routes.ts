import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { queuePriority } from '@resnet-lab/db';
import { removeTrainingJobs } from '@resnet-lab/queue';
import {
  DryRunResponse,
  expandGrid,
  GridDefinition,
  GridError,
  GridExperimentsPage,
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
  presetGrid,
  ProblemDetails,
  type GridDefinitionInput,
} from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { isNotModified } from '../http-cache';
import { createModelCoster, estimateSeconds, throughputFor } from '../services/cost.estimator';
import { toExperimentView } from './experiment.view';
import { loadGridState } from './grid.view';

export interface GridRoutesOptions extends AppDeps {
  /** Most distinct experiments one grid may hold (GRID_MAX_EXPERIMENTS). */
  gridMaxExperiments: number;
}

const problems = { 400: ProblemDetails, 404: ProblemDetails };

export const gridsRoutes: FastifyPluginAsyncZod<GridRoutesOptions> = async (app, deps) => {
  const { repos } = deps;
  const cost = createModelCoster();

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
          'Expands `base` over the cartesian `axes`, `zip` groups (paths varying together) minus `exclude` rules, optionally sampling `sample.n` points. ' +
          'Axes that do not apply to a point collapse (a plain net has no shortcut kernel), and points that normalise to the same network and seed are one experiment. ' +
          'Every point is validated before anything is stored: one 400 lists every bad point with its field, index and values. ' +
          'A point whose canonical spec already succeeded is linked, not retrained, unless `force` is true. ' +
          'With `preset` (and `scale`, 1 = paper size) the preset supplies base and axes; given fields are merged over it. ' +
          '`priority` 0..1000: higher runs sooner. With `?dryRun=true` nothing is stored and the answer lists each point with parameters, FLOPs and estimated seconds.',
        tags: ['grids'],
        querystring: GridSubmitQuery,
        body: GridSubmission,
        response: { 201: GridSubmitResponse, 200: DryRunResponse, 400: ProblemDetails },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const definition = resolveDefinition(body);
      let expansion;
      try {
        expansion = expandGrid(definition, { maxExperiments: deps.gridMaxExperiments });
      } catch (error) {
        if (error instanceof GridError) throw new AppError('VALIDATION', error.message, error.errors);
        throw error;
      }
      const reusable = body.force
        ? new Map<string, string>()
        : await repos.grids.succeededByHash(expansion.points.map((p) => p.specHash));

      if (request.query.dryRun) {
        const throughput = await throughputFor(deps.db, cost, request.query.backend);
        let totalSeconds = 0;
        const points = [];
        for (const p of expansion.points) {
          const model = await cost(p.spec);
          const reuses = reusable.get(p.specHash) ?? null;
          const seconds = model ? (reuses ? 0 : estimateSeconds(p.spec, model.flops, throughput.macsPerSecond)) : null;
          totalSeconds += seconds ?? 0;
          points.push({
            index: p.index,
            values: p.values,
            collapsed: p.collapsed,
            specHash: p.specHash,
            spec: p.spec as unknown as Record<string, unknown>,
            params: model?.params ?? null,
            flops: model?.flops ?? null,
            estimatedSeconds: seconds,
            reuses,
          });
        }
        return reply.status(200).send({
          dryRun: true as const,
          total: expansion.total,
          excluded: expansion.excluded,
          unsampled: expansion.unsampled,
          duplicates: expansion.duplicates,
          experiments: expansion.points.length,
          reusable: points.filter((p) => p.reuses).length,
          axes: expansion.axes,
          estimate: { ...throughput, totalSeconds },
          points,
        });
      }

      const created = await repos.grids.create({
        ...(body.name ? { name: body.name } : {}),
        ...(body.preset ? { preset: body.preset } : {}),
        definition: body,
        axes: expansion.axes,
        priority: body.priority,
        points: expansion.points.map((p) => ({
          index: p.index,
          values: p.values,
          groupKey: p.groupKey,
          spec: p.spec,
          specHash: p.specHash,
          ...(reusable.has(p.specHash) ? { reuse: reusable.get(p.specHash)! } : {}),
        })),
      });
      // Committed with its outbox entries: if Redis is down the relay's timer sends them later.
      await deps.outbox.flush().catch((error) => request.log.warn({ err: error }, 'outbox flush deferred'));
      const state = await stateOr404(created.grid.id);
      return reply.status(201).send({
        grid: state.view,
        created: created.created,
        reused: created.reused,
        duplicates: expansion.duplicates,
        excluded: expansion.excluded,
      });
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
      const page = await repos.grids.list(request.query);
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
      const grid = await repos.grids.setPriority(request.params.id, request.body.priority);
      if (!grid) throw notFound('grid', request.params.id);
      const queued = await repos.grids.ownIds(grid.id, 'queued');
      const priority = queuePriority(request.body.priority);
      for (let i = 0; i < queued.length; i += 64) {
        await Promise.all(
          queued.slice(i, i + 64).map(async (id) => {
            const job = await deps.trainQueue.getJob(id);
            // A job already taken by a worker cannot change priority; that is fine.
            await job?.changePriority({ priority }).catch(() => {});
          }),
        );
      }
      return (await stateOr404(grid.id)).view;
    },
  );

  app.get(
    '/v1/grids/:id/experiments',
    {
      schema: {
        summary: "A grid's experiments in expansion order, with their axis values",
        tags: ['grids'],
        params: IdParams,
        querystring: GridExperimentsQuery,
        response: { 200: GridExperimentsPage, ...problems },
      },
    },
    async (request) => {
      await stateOr404(request.params.id);
      const page = await repos.grids.memberPage(request.params.id, request.query);
      return {
        items: page.items.map((m) => ({
          index: m.index,
          values: m.point as Record<string, unknown>,
          reused: m.reused,
          experiment: toExperimentView(m.experiment),
        })),
        nextAfter: page.nextAfter,
      };
    },
  );

  app.post(
    '/v1/grids/:id/cancel',
    {
      schema: {
        summary: 'Cancel a grid',
        description:
          'Queued experiments are cancelled and their jobs removed at once; running ones stop at their next batch and are then marked cancelled.',
        tags: ['grids'],
        params: IdParams,
        response: { 200: GridView, ...problems },
      },
    },
    async (request) => {
      const { grid, queued } = await repos.grids.cancel(request.params.id);
      if (!grid) throw notFound('grid', request.params.id);
      await removeTrainingJobs(deps.trainQueue, queued).catch((error) =>
        request.log.warn({ err: error }, 'could not remove queued jobs; the worker will skip them'),
      );
      return (await stateOr404(grid.id)).view;
    },
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
    async (request) => {
      const grid = await repos.grids.pause(request.params.id);
      if (!grid) throw notFound('grid', request.params.id);
      if (grid.status === 'paused') {
        // Jobs still waiting are removed so that other work runs; a worker that took one anyway finds the grid paused and leaves the experiment queued.
        await removeTrainingJobs(deps.trainQueue, await repos.grids.ownIds(grid.id, 'queued')).catch((error) =>
          request.log.warn({ err: error }, 'could not remove waiting jobs; the worker will skip them'),
        );
      }
      return (await stateOr404(grid.id)).view;
    },
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
    async (request) => {
      const current = await repos.grids.get(request.params.id);
      if (!current) throw notFound('grid', request.params.id);
      if (current.status === 'paused') {
        const queued = await repos.grids.ownIds(current.id, 'queued');
        await removeTrainingJobs(deps.trainQueue, queued);
        await repos.grids.resume(current.id, queued);
        await deps.outbox.flush().catch((error) => request.log.warn({ err: error }, 'outbox flush deferred'));
      }
      return (await stateOr404(current.id)).view;
    },
  );

  app.post(
    '/v1/grids/:id/retry',
    {
      schema: {
        summary: "Retry a grid's failed experiments",
        description:
          'Failed experiments go back to the queue (resuming from their newest checkpoint); a cancelled grid becomes active again.',
        tags: ['grids'],
        params: IdParams,
        response: { 200: GridView, ...problems },
      },
    },
    async (request) => {
      const current = await repos.grids.get(request.params.id);
      if (!current) throw notFound('grid', request.params.id);
      const failed = await repos.grids.ownIds(current.id, 'failed');
      // Failed jobs stay in BullMQ for a month; a new job with the same id would collapse into one.
      await removeTrainingJobs(deps.trainQueue, failed);
      await repos.grids.retry(current.id, failed);
      await deps.outbox.flush().catch((error) => request.log.warn({ err: error }, 'outbox flush deferred'));
      return (await stateOr404(current.id)).view;
    },
  );
};

/** The body's own grid, or the preset's with the body's fields merged over it. */
function resolveDefinition(body: GridSubmission): GridDefinition {
  if (body.scale !== undefined && !body.preset) {
    throw new AppError('VALIDATION', 'scale applies to presets only', [
      { field: 'scale', message: 'scale needs preset' },
    ]);
  }
  const own: GridDefinitionInput = {
    base: body.base,
    axes: body.axes,
    zip: body.zip,
    exclude: body.exclude,
    ...(body.sample ? { sample: body.sample } : {}),
  };
  if (!body.preset) return GridDefinition.parse(own);
  const preset = presetGrid(body.preset, body.scale ?? 1);
  // The merge can break limits the body alone met (more zip groups or exclude rules in all).
  const merged = GridDefinition.safeParse({
    base: deepMerge(preset.base ?? {}, body.base),
    axes: { ...preset.axes, ...body.axes },
    zip: [...(preset.zip ?? []), ...body.zip],
    exclude: [...(preset.exclude ?? []), ...body.exclude],
    ...(body.sample ? { sample: body.sample } : {}),
  });
  if (!merged.success) {
    const errors = merged.error.issues.map((i) => ({
      field: i.path.join('.') || 'preset',
      message: `with preset ${body.preset}: ${i.message}`,
    }));
    throw new AppError('VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  return merged.data;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const left = out[key];
    const bothObjects = [left, value].every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    out[key] = bothObjects ? deepMerge(left as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}
