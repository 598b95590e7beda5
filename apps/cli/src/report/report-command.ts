import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import type { CurvesResponse, GridExperimentsPage, GridSummary, GridView } from '@resnet-lab/spec';
import type { ApiClient } from '../api-client';
import { gridReport } from './grid-report';

/**
 * Writes a grid's report to `out` (Markdown) and its figure beside it, in a folder named after the
 * report: `docs/results/cifar-depth.md` and `docs/results/cifar-depth/error-curves.svg`. Everything
 * comes from the public API, so any grid of any server can be reported.
 */
export async function writeGridReport(
  api: ApiClient,
  gridId: string,
  out: string,
  context: string[],
): Promise<{ markdown: string; figure: string }> {
  const curves = (metric: string) =>
    api.get<z.infer<typeof CurvesResponse>>(`/v1/grids/${gridId}/curves?metric=${metric}&by=group&maxPoints=500`);
  const [grid, summary, trainCurves, validationCurves, failed] = await Promise.all([
    api.get<GridView>(`/v1/grids/${gridId}`),
    api.get<GridSummary>(`/v1/grids/${gridId}/summary`),
    curves('train.error'),
    curves('validation.error'),
    failedMembers(api, gridId),
  ]);
  const failures = failed.map((m) => ({ index: m.index, values: m.values, error: m.experiment.error }));
  const name = basename(out).replace(/\.md$/, '');
  const figurePath = `${name}/error-curves.svg`;
  const report = gridReport({ grid, summary, trainCurves, validationCurves, context, figurePath, failures });
  const figure = join(dirname(out), figurePath);
  await mkdir(dirname(figure), { recursive: true });
  await writeFile(figure, report.figure);
  await writeFile(out, report.markdown);
  return { markdown: out, figure };
}

/** Every failed member of the grid, page by page: a report lists them all. */
async function failedMembers(api: ApiClient, gridId: string): Promise<z.infer<typeof GridExperimentsPage>['items']> {
  const all: z.infer<typeof GridExperimentsPage>['items'] = [];
  let after: number | null = null;
  do {
    const page: z.infer<typeof GridExperimentsPage> = await api.get(
      `/v1/grids/${gridId}/experiments?status=failed&limit=100${after === null ? '' : `&after=${after}`}`,
    );
    all.push(...page.items);
    after = page.nextAfter;
  } while (after !== null);
  return all;
}
