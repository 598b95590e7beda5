import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CurvesQuery,
  CurvesResponse,
  ExportQuery,
  GridSummary,
  IdParams,
  ProblemDetails,
  SummaryQuery,
} from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { bodyCache } from '../body-cache';
import { notFound } from '../errors';
import { etagOf, isNotModified } from '../http-cache';
import { experimentSeries, groupSeries } from '../services/grid-curves';
import { buildSummary, csvCell } from '../services/grid-summary';
import { loadGridState } from './grid.view';

const problems = { 400: ProblemDetails, 404: ProblemDetails };
const notModified = z.null().describe('Not modified (If-None-Match matched the ETag)');

/** A grid's results: summary with groups and the degradation check, learning curves, export. */
export const gridResultsRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const { repos } = deps;
  // Curves of a few grids' current versions: 64 M characters at most (a 1,000-experiment grid's
  // curves of one metric are about 3 MB).
  const curveBodies = bodyCache(64 * 2 ** 20);
  const summaryBodies = bodyCache(32 * 2 ** 20);

  const stateOr404 = async (id: string) => {
    const state = await loadGridState(repos, id);
    if (!state) throw notFound('grid', id);
    return state;
  };

  const summaryOf = async (id: string, axes: string[], includeStopped = false) => {
    const { members, metrics } = await repos.grids.summaryInputs(id);
    return buildSummary(id, axes, members, metrics, { includeStopped });
  };

  app.get(
    '/v1/grids/:id/summary',
    {
      schema: {
        summary:
          'Final and best metrics per experiment; mean, std and n per group (all axes but the seed); ' +
          'the degradation check',
        description:
          'Group statistics cover succeeded experiments only, and those stopped early too with ' +
          '`includeStopped=true` (`stopped` counts them either way). `degradation` compares, ' +
          'for groups that differ only in depth, the final training error (else validation/test error) of the ' +
          'shallower and the deeper net: plain nets degrading and residual nets improving with depth is the ' +
          "ResNet paper's finding. ETag / If-None-Match: 304 while nothing changed.",
        tags: ['grids'],
        params: IdParams,
        querystring: SummaryQuery,
        response: { 200: GridSummary, 304: notModified, ...problems },
      },
    },
    async (request, reply) => {
      const state = await stateOr404(request.params.id);
      const { includeStopped } = request.query;
      const etag = etagOf('summary', state.version, includeStopped);
      if (isNotModified(request, reply, etag)) return reply.status(304).send(null);
      const body = await summaryBodies(
        etag,
        () => summaryOf(state.view.id, state.view.axes, includeStopped),
        state.view.done,
      );
      // Built by buildSummary to the GridSummary shape; re-validating a megabyte of it per poll
      // would cost more than computing it.
      return reply
        .type('application/json; charset=utf-8')
        .serializer((payload) => payload as string)
        .send(body as unknown as GridSummary);
    },
  );

  app.get(
    '/v1/grids/:id/curves',
    {
      schema: {
        summary: 'Learning curves of one metric, per experiment or per group (mean and std over seeds)',
        description:
          'Series longer than `maxPoints` are averaged over buckets of consecutive epochs. ' +
          'ETag / If-None-Match: 304 while nothing changed.',
        tags: ['grids'],
        params: IdParams,
        querystring: CurvesQuery,
        response: { 200: CurvesResponse, 304: notModified, ...problems },
      },
    },
    async (request, reply) => {
      const { metric, by, maxPoints } = request.query;
      const state = await stateOr404(request.params.id);
      const etag = etagOf('curves', state.version, request.query);
      if (isNotModified(request, reply, etag)) return reply.status(304).send(null);
      const [split, name] = metric.split('.') as [string, string];
      const id = state.view.id;
      const body = await curveBodies(
        etag,
        async () => {
          if (by === 'experiment') {
            const [members, rows] = await Promise.all([
              repos.grids.members(id),
              repos.grids.curveRows(id, split, name),
            ]);
            return { gridId: id, metric, by, series: experimentSeries(members, rows, maxPoints) };
          }
          const [heads, rows] = await Promise.all([
            repos.grids.groupHeads(id),
            repos.grids.groupCurveRows(id, split, name),
          ]);
          return { gridId: id, metric, by, series: groupSeries(heads, rows, maxPoints) };
        },
        state.view.done,
      );
      // Built to the CurvesResponse shape above; validating 100,000 points per request would cost
      // more than reading them.
      return reply
        .type('application/json; charset=utf-8')
        .serializer((payload) => payload as string)
        .send(body as unknown as z.infer<typeof CurvesResponse>);
    },
  );

  app.get(
    '/v1/grids/:id/export',
    {
      schema: {
        summary:
          'Export a grid: one row per experiment with its axis values, status, final and best metrics (CSV), ' +
          'or the summary with specs (JSON)',
        tags: ['grids'],
        params: IdParams,
        querystring: ExportQuery,
        response: { 200: z.union([z.string(), z.record(z.string(), z.unknown())]), ...problems },
      },
    },
    async (request, reply) => {
      const state = await stateOr404(request.params.id);
      const summary = await summaryOf(state.view.id, state.view.axes);
      const filename = `grid-${state.view.id}.${request.query.format}`;
      reply.header('content-disposition', `attachment; filename="${filename}"`);
      if (request.query.format === 'json') {
        const specs = new Map(
          (await deps.repos.experiments.findMany(summary.experiments.map((e) => e.experimentId))).map(
            (e) => [e.id, e.spec] as const,
          ),
        );
        return {
          grid: state.view,
          ...summary,
          experiments: summary.experiments.map((e) => ({ ...e, spec: specs.get(e.experimentId) })),
        };
      }
      const finals = [...new Set(summary.experiments.flatMap((e) => Object.keys(e.final)))].sort();
      const bests = [...new Set(summary.experiments.flatMap((e) => Object.keys(e.best)))].sort();
      const header = [
        'experimentId',
        'index',
        'status',
        'backend',
        'epochs',
        ...state.view.axes,
        ...finals.map((k) => `final.${k}`),
        ...bests.map((k) => `best.${k}`),
        'predictedSeconds',
        'actualSeconds',
      ];
      const lines = [header.map(csvCell).join(',')];
      for (const e of summary.experiments) {
        lines.push(
          [
            e.experimentId,
            e.index,
            e.status,
            e.backend,
            e.epochs,
            ...state.view.axes.map((a) => e.values[a]),
            ...finals.map((k) => e.final[k]),
            ...bests.map((k) => e.best[k]),
            e.predictedSeconds,
            e.actualSeconds,
          ]
            .map(csvCell)
            .join(','),
        );
      }
      return reply.type('text/csv; charset=utf-8').send(`${lines.join('\n')}\n`);
    },
  );
};
