import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { canonicalJson, CompareQuery, CompareResponse, EnsembleResponse, ProblemDetails } from '@resnet-lab/spec';
import type { AppDeps } from '../deps';
import { AppError } from '../errors';
import { ensembleMetrics, ensembleProblem, scoreMetrics } from '../services/ensemble';
import { metricsByExperiment } from '../services/grid-summary';
import { toExperimentView } from './experiment.view';

/** Any experiments side by side, with the spec fields in which they differ. */
export const compareRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/compare',
    {
      schema: {
        summary: 'Compare experiments side by side',
        description:
          '`ids` is a comma-separated list of 2 to 50 experiment ids. ' +
          '`differences` lists each spec field (dotted path) whose value is not the same in all of them.',
        tags: ['experiments'],
        querystring: CompareQuery,
        response: { 200: CompareResponse, 400: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.ids)];
      const ordered = await experimentsOr404(deps, ids, request.project ?? undefined);
      const metrics = metricsByExperiment(await deps.repos.grids.metricSummariesOf(ids));
      const flat = ordered.map((e) => flatten(e.spec));
      const fields = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
      const differences = fields
        .map((field) => ({ field, values: flat.map((f) => f.get(field) ?? null) }))
        .filter((d) => new Set(d.values.map((v) => canonicalJson(v))).size > 1);
      return {
        experiments: ordered.map((e) => {
          const m = metrics.get(e.id);
          return {
            experiment: toExperimentView(e),
            final: m?.final ?? {},
            best: m?.best ?? {},
            epochs: m?.epochs ?? 0,
          };
        }),
        differences,
      };
    },
  );
};

/** Most per-image scores (images x classes, over all members) one ensemble request averages: about 0.1 s. */
const MAX_ENSEMBLE_SCORES = 10_000_000;

/** Any experiments as one ensemble: their per-image test scores averaged. */
export const ensembleRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/compare/ensemble',
    {
      schema: {
        summary: 'The test error of an ensemble of experiments (softmax scores averaged per image)',
        description:
          '`ids` is a comma-separated list of 2 to 50 experiment ids, each with stored test scores (kept ' +
          "after a run's last epoch when it scored the test set). All must have been tested on the same " +
          "images. Answers each member's own test metrics and the ensemble's.",
        tags: ['experiments'],
        querystring: CompareQuery,
        response: { 200: EnsembleResponse, 400: ProblemDetails, 404: ProblemDetails },
      },
    },
    async (request) => {
      const ids = [...new Set(request.query.ids)];
      await experimentsOr404(deps, ids, request.project ?? undefined);
      // Averaged on the API's thread: bounded so that one request cannot hold it (or its memory) long.
      const total = [...(await deps.repos.testScores.sizes(ids)).values()].reduce((a, b) => a + b, 0);
      if (total > MAX_ENSEMBLE_SCORES) {
        const message = `${total} scores to average; at most ${MAX_ENSEMBLE_SCORES} at once (give fewer ids)`;
        throw new AppError('VALIDATION', `querystring.ids: ${message}`, [{ field: 'querystring.ids', message }]);
      }
      const stored = await deps.repos.testScores.of(ids);
      const byId = new Map(stored.map((s) => [s.experimentId, s]));
      const unscored = ids.filter((id) => !byId.has(id));
      if (unscored.length > 0) {
        const message =
          `no test scores for ${unscored.join(', ')}: kept after a run's last epoch when it scored the test set ` +
          "(not yet finished, or evaluateTest 'never')";
        throw new AppError('VALIDATION', `querystring.ids: ${message}`, [{ field: 'querystring.ids', message }]);
      }
      const scores = ids.map((id) => byId.get(id)!);
      const problem = ensembleProblem(scores);
      if (problem)
        throw new AppError('VALIDATION', `querystring.ids: ${problem}`, [
          { field: 'querystring.ids', message: problem },
        ]);
      return {
        members: scores.map((s) => ({
          experimentId: s.experimentId,
          epoch: s.epoch,
          ...scoreMetrics(s.probabilities, s.labels, s.classes),
        })),
        ensemble: ensembleMetrics(scores),
      };
    },
  );
};

/** The experiments, in `ids` order; another project's are as unknown as ids that do not exist (404). */
async function experimentsOr404(deps: AppDeps, ids: string[], project: string | undefined) {
  const rows = await deps.repos.experiments.findMany(ids, project);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new AppError('NOT_FOUND', `experiments ${missing.join(', ')} do not exist`, [
      { field: 'querystring.ids', message: `unknown: ${missing.join(', ')}` },
    ]);
  }
  return ids.map((id) => byId.get(id)!);
}

/** Leaves of a JSON value by dotted path; arrays are leaves (a schedule's milestones compare whole). */
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}
