import type { z } from 'zod';
import type { BudgetChoice, GridExpansion, GridSubmission } from '@resnet-lab/spec';
import { AppError } from '../errors';
import { costPoints, type CostDeps } from './grid-cost';

/** The smallest scale a budget may pick; below it a preset's grid hardly shrinks further. */
export const SMALLEST_SCALE = 0.001;
const SEARCH_STEPS = 12;

export interface BudgetDeps extends CostDeps {
  expand(body: GridSubmission): Promise<GridExpansion>;
  /** Earlier results the grid would reuse (they cost nothing). */
  reusable(expansion: GridExpansion): Promise<Map<string, string>>;
  /** Slots of the workers active now. */
  activeSlots(): Promise<number>;
}

/**
 * The largest preset scale whose estimated wall time on the active workers' slots fits
 * `body.budget`. The estimate grows with the scale (epochs, data, width and seeds all do), so a
 * bisection over the scale's logarithm finds it in about a dozen costings of the preset's grid.
 */
export async function scaleForBudget(body: GridSubmission, deps: BudgetDeps): Promise<z.infer<typeof BudgetChoice>> {
  const budgetSeconds = body.budget!;
  if (!body.preset) throw budgetError('budget needs preset: it picks the scale of a preset');
  if (body.scale !== undefined) throw budgetError('give budget or scale, not both');
  const slots = Math.max(1, await deps.activeSlots());
  const costAt = async (scale: number) => {
    const expansion = await deps.expand({ ...body, scale, budget: undefined });
    const { throughput, points } = await costPoints(expansion, await deps.reusable(expansion), deps);
    const computeSeconds = points.reduce((sum, p) => sum + (p.seconds ?? 0), 0);
    return { scale, computeSeconds, wallSeconds: computeSeconds / slots, backend: throughput.backend };
  };

  let fits = await costAt(1);
  if (fits.wallSeconds > budgetSeconds) {
    fits = await costAt(SMALLEST_SCALE);
    if (fits.wallSeconds > budgetSeconds) {
      throw budgetError(
        `even scale ${SMALLEST_SCALE} is estimated at ${Math.ceil(fits.wallSeconds)} s on ${slots} slot(s), ` +
          `over the budget of ${budgetSeconds} s`,
      );
    }
    let low = Math.log(SMALLEST_SCALE); // fits
    let high = 0; // does not fit
    for (let step = 0; step < SEARCH_STEPS; step++) {
      const middle = (low + high) / 2;
      const at = await costAt(threeDigitsDown(Math.exp(middle)));
      if (at.wallSeconds <= budgetSeconds) {
        fits = at;
        low = middle;
      } else {
        high = middle;
      }
    }
  }
  return { budgetSeconds, slots, ...fits };
}

/** `x` cut (never rounded up) to three significant digits: a scale a person can type again. */
function threeDigitsDown(x: number): number {
  const unit = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Number((Math.floor(x / unit + 1e-9) * unit).toPrecision(3));
}

/** Slots of the workers whose heartbeat is current. */
export async function activeSlots(workers: { list(): Promise<{ status: string; slots: unknown }[]> }): Promise<number> {
  const rows = await workers.list();
  return rows
    .filter((w) => w.status === 'active')
    .reduce((n, w) => n + (Array.isArray(w.slots) ? w.slots.length : 0), 0);
}

function budgetError(message: string): AppError {
  return new AppError('VALIDATION', `budget: ${message}`, [{ field: 'budget', message }]);
}
