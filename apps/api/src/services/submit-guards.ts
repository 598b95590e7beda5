import type { ExperimentSpec, GridExpansion } from '@resnet-lab/spec';
import { AppError, type FieldError } from '../errors';

/** Point errors listed in one 400; the rest are counted. */
const MAX_LISTED = 20;
/** Points checked between two turns of the event loop: a 20,000-point grid must not hold it. */
const POINTS_PER_TURN = 500;

/** A check every submitted experiment and grid point passes before anything is stored. */
export interface SubmitGuard {
  checkExperiment(spec: ExperimentSpec): void;
  checkGrid(expansion: GridExpansion): Promise<void>;
}

/**
 * Several guards run in order as one: the routes call a single guard at submit (and dry run), so
 * a new refusal (dataset roots) joins the existing one (memory) without touching every route.
 */
export function combineGuards(...guards: SubmitGuard[]): SubmitGuard {
  return {
    checkExperiment: (spec) => guards.forEach((g) => g.checkExperiment(spec)),
    async checkGrid(expansion) {
      for (const guard of guards) await guard.checkGrid(expansion);
    },
  };
}

/**
 * A guard from a check of one spec: a 400 for an experiment with that problem, and for a grid one
 * 400 listing its bad points (the first MAX_LISTED, the rest counted). `words` says it in the
 * guard's own terms.
 */
export function specGuard(
  problem: (spec: ExperimentSpec) => FieldError | null,
  words: { detail: (found: FieldError) => string; points: string; more: string },
): SubmitGuard {
  return {
    checkExperiment(spec) {
      const found = problem(spec);
      if (found) throw new AppError('VALIDATION', words.detail(found), [found]);
    },
    async checkGrid(expansion) {
      const errors: FieldError[] = [];
      let unlisted = 0;
      for (const [i, point] of expansion.points.entries()) {
        if (i > 0 && i % POINTS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
        const found = problem(point.spec);
        if (!found) continue;
        if (errors.length < MAX_LISTED) errors.push({ ...found, index: point.index, values: point.values });
        else unlisted++;
      }
      if (errors.length === 0) return;
      if (unlisted > 0) errors.push({ field: '(grid)', message: `${unlisted} more points ${words.more}` });
      throw new AppError(
        'VALIDATION',
        `${errors.length + unlisted} point(s) ${words.points}; first: ${errors[0]!.message}`,
        errors,
      );
    },
  };
}
