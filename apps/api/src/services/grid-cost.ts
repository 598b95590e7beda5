import type { ExperimentRepository } from '@resnet-lab/db';
import type { ExperimentSpec, GridExpansion } from '@resnet-lab/spec';
import {
  estimateSeconds,
  throughputFor,
  type MeasuredRun,
  type ModelCost,
  type ThroughputModel,
} from './cost.estimator';

export interface CostDeps {
  experiments: Pick<ExperimentRepository, 'newestBackend' | 'throughputSamples'>;
  cost: (spec: ExperimentSpec) => Promise<ModelCost | null>;
  backend?: string;
  /** The backend the active workers' slots use now, if any reported one. */
  workersBackend?: () => Promise<string | null>;
  /** The active workers' slot calibrations on a backend. */
  workersCalibration?: (backend: string) => Promise<MeasuredRun[]>;
}

export interface PointCost {
  model: ModelCost | null;
  /** Estimated wall seconds: 0 where an earlier result is reused, null where the network cannot be costed. */
  seconds: number | null;
  reuses: string | null;
}

/** Every point's cost, in expansion order, and the throughput model the seconds rest on. */
export async function costPoints(
  expansion: GridExpansion,
  reusable: Map<string, string>,
  deps: CostDeps,
): Promise<{ throughput: ThroughputModel; points: PointCost[] }> {
  const throughput = await throughputFor(
    deps.experiments,
    deps.cost,
    deps.backend,
    deps.workersBackend,
    deps.workersCalibration,
  );
  const points: PointCost[] = [];
  for (const [i, p] of expansion.points.entries()) {
    // A cached cost resolves as a microtask, which lets no other request in: yield now and then.
    if (i > 0 && i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    const model = await deps.cost(p.spec);
    const reuses = reusable.get(p.specHash) ?? null;
    const seconds = model ? (reuses ? 0 : estimateSeconds(p.spec, model, throughput)) : null;
    points.push({ model, seconds, reuses });
  }
  return { throughput, points };
}

/**
 * A grid's dry run: the totals over every point, the throughput the estimate rests on, and one page
 * of points (`page`) with their parameters, FLOPs and estimated seconds (0 where an earlier result
 * is reused).
 */
export async function costGrid(
  expansion: GridExpansion,
  reusable: Map<string, string>,
  deps: CostDeps,
  page: { offset: number; limit: number },
) {
  const { throughput, points: costs } = await costPoints(expansion, reusable, deps);
  const totalSeconds = costs.reduce((sum, c) => sum + (c.seconds ?? 0), 0);
  const points = expansion.points.slice(page.offset, page.offset + page.limit).map((p, i) => {
    const c = costs[page.offset + i]!;
    return {
      index: p.index,
      values: p.values,
      collapsed: p.collapsed,
      specHash: p.specHash,
      spec: p.spec,
      params: c.model?.params ?? null,
      flops: c.model?.flops ?? null,
      estimatedSeconds: c.seconds,
      reuses: c.reuses,
    };
  });
  return {
    dryRun: true as const,
    total: expansion.total,
    excluded: expansion.excluded,
    unsampled: expansion.unsampled,
    duplicates: expansion.duplicates,
    experiments: expansion.points.length,
    reusable: costs.filter((c) => c.reuses).length,
    axes: expansion.axes,
    estimate: { ...throughput, totalSeconds },
    pointsOffset: page.offset,
    points,
  };
}

/**
 * The seconds stored with each point at submit (expansion order), as the dry run of the same
 * request estimates them (on its `backend`, else the newest backend used); all null where
 * estimating failed: an estimate never stops a submit.
 */
export async function predictedSeconds(
  expansion: GridExpansion,
  reusable: Map<string, string>,
  deps: CostDeps,
  log: { warn(obj: object, msg: string): void },
): Promise<(number | null)[]> {
  try {
    return (await costPoints(expansion, reusable, deps)).points.map((c) => c.seconds);
  } catch (error) {
    log.warn({ err: error }, 'no cost estimate for the grid: stored without predicted seconds');
    return expansion.points.map(() => null);
  }
}
