import type { z } from 'zod';
import type { BudgetChoice, GridExpansion, GridSubmission } from '@resnet-lab/spec';
import { AppError } from '../errors';
import type { MeasuredRun } from './cost.estimator';
import { costPoints, type CostDeps } from './grid-cost';

/**
 * The smallest scale a budget may pick. Presets stop shrinking above it (epochs, data and width
 * reach their floors by about 0.07); the search finds the top of that flat stretch.
 */
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
    if (points.some((p) => p.seconds === null))
      throw budgetError(`a network of the preset at scale ${scale} cannot be costed`);
    const seconds = points.map((p) => p.seconds!);
    const computeSeconds = seconds.reduce((sum, s) => sum + s, 0);
    // An experiment runs on one slot: more slots than experiments do not finish it sooner.
    const wallSeconds = Math.max(computeSeconds / slots, ...seconds);
    return { scale, computeSeconds, wallSeconds, backend: throughput.backend };
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

/**
 * `x` cut to three significant digits: a scale a person can type again. (The scale picked is
 * costed as cut, so a float rounding in either direction cannot pick one that does not fit.)
 */
function threeDigitsDown(x: number): number {
  const unit = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Number((Math.floor(x / unit) * unit).toPrecision(3));
}

/** Slots of the workers whose heartbeat is current. */
export async function activeSlots(workers: { list(): Promise<{ status: string; slots: unknown }[]> }): Promise<number> {
  const rows = await workers.list();
  return rows
    .filter((w) => w.status === 'active')
    .reduce((n, w) => n + (Array.isArray(w.slots) ? w.slots.length : 0), 0);
}

/** The backend most slots of the active workers last trained on; null when none reported one. */
export async function workersBackend(workers: {
  list(): Promise<{ status: string; slots: unknown }[]>;
}): Promise<string | null> {
  const counts = new Map<string, number>();
  for (const w of await workers.list()) {
    if (w.status !== 'active' || !Array.isArray(w.slots)) continue;
    for (const slot of w.slots as { backend?: unknown }[]) {
      if (typeof slot.backend === 'string') counts.set(slot.backend, (counts.get(slot.backend) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** The reference runs the active workers' slots on `backend` measured at start (WORKER_CALIBRATE). */
export async function workersCalibration(
  workers: { list(): Promise<{ status: string; slots: unknown }[]> },
  backend: string,
): Promise<MeasuredRun[]> {
  const samples: MeasuredRun[] = [];
  for (const w of await workers.list()) {
    if (w.status !== 'active' || !Array.isArray(w.slots)) continue;
    for (const slot of w.slots as { calibration?: { backend?: unknown; samples?: unknown } | null }[]) {
      const c = slot.calibration;
      if (c?.backend !== backend || !Array.isArray(c.samples)) continue;
      samples.push(...(c.samples as MeasuredRun[]));
    }
  }
  return samples;
}

function budgetError(message: string): AppError {
  return new AppError('VALIDATION', `budget: ${message}`, [{ field: 'budget', message }]);
}
