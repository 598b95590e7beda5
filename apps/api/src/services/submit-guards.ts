import type { ExperimentSpec, GridExpansion } from '@resnet-lab/spec';

/** A check every submitted experiment and grid point passes before anything is stored. */
export interface SubmitGuard {
  checkExperiment(spec: ExperimentSpec): void;
  checkGrid(expansion: GridExpansion): void;
}

/**
 * Several guards run in order as one: the routes call a single guard at submit (and dry run), so
 * a new refusal (dataset roots) joins the existing one (memory) without touching every route.
 */
export function combineGuards(...guards: SubmitGuard[]): SubmitGuard {
  return {
    checkExperiment: (spec) => guards.forEach((g) => g.checkExperiment(spec)),
    checkGrid: (expansion) => guards.forEach((g) => g.checkGrid(expansion)),
  };
}
