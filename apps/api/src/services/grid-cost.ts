import type { ExperimentRepository } from '@resnet-lab/db';
import type { ExperimentSpec, GridExpansion } from '@resnet-lab/spec';
import { estimateSeconds, throughputFor, type ModelCost } from './cost.estimator';

/**
 * A grid's dry run: the totals over every point, the throughput the estimate rests on, and one page
 * of points (`page`) with their parameters, FLOPs and estimated seconds (0 where an earlier result
 * is reused).
 */
export async function costGrid(
  expansion: GridExpansion,
  reusable: Map<string, string>,
  deps: {
    experiments: Pick<ExperimentRepository, 'newestBackend' | 'throughputSamples'>;
    cost: (spec: ExperimentSpec) => Promise<ModelCost | null>;
    backend?: string;
  },
  page: { offset: number; limit: number },
) {
  const throughput = await throughputFor(deps.experiments, deps.cost, deps.backend);
  let totalSeconds = 0;
  let reusableCount = 0;
  const points = [];
  for (const [i, p] of expansion.points.entries()) {
    // A cached cost resolves as a microtask, which lets no other request in: yield now and then.
    if (i > 0 && i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    const model = await deps.cost(p.spec);
    const reuses = reusable.get(p.specHash) ?? null;
    const seconds = model ? (reuses ? 0 : estimateSeconds(p.spec, model.flops, throughput)) : null;
    totalSeconds += seconds ?? 0;
    if (reuses) reusableCount++;
    if (i < page.offset || i >= page.offset + page.limit) continue;
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
  return {
    dryRun: true as const,
    total: expansion.total,
    excluded: expansion.excluded,
    unsampled: expansion.unsampled,
    duplicates: expansion.duplicates,
    experiments: expansion.points.length,
    reusable: reusableCount,
    axes: expansion.axes,
    estimate: { ...throughput, totalSeconds },
    pointsOffset: page.offset,
    points,
  };
}
