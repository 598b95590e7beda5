import { z } from 'zod';

/**
 * Early stopping for sweeps: a grid-level rule that ends members which are clearly behind their
 * peers, so the compute goes to the promising ones. Two rules, as the tools researchers know them:
 *
 * - `asha`: asynchronous successive halving (Li et al. 2020; Ray Tune's ASHAScheduler). Rungs at
 *   epochs gracePeriod x reductionFactor^k below the last epoch. A member reaching a rung continues
 *   only if its value is within the best 1/reductionFactor of the values other members recorded at
 *   that rung before it; the first to reach a rung always continues (the asynchronous promotion).
 * - `median`: Optuna's MedianPruner. From epoch gracePeriod on, a member stops when its best value
 *   so far is worse than the median of the values that finished members recorded at the same
 *   epoch, once at least `minSamples` members have finished.
 *
 * The decisions are pure functions here; the worker gathers the numbers and records every decision
 * with the numbers it used.
 */
export const EARLY_STOPPING_RULES = ['asha', 'median'] as const;

/** A recorded metric as `split.name`, as the summary names it: `validation.error`, `train.loss`. */
const MetricKey = z
  .string()
  .regex(/^(train|validation|test)\.[a-z][a-z0-9_]*$/, 'a metric is split.name, e.g. validation.error or train.loss');

export const EarlyStoppingSpec = z
  .object({
    type: z.enum(EARLY_STOPPING_RULES),
    metric: MetricKey.default('validation.error'),
    /** Whether smaller (`min`) or larger (`max`) is better; default by name: accuracy max, else min. */
    mode: z.enum(['min', 'max']).optional(),
    /** Epochs every member trains before any decision about it. */
    gracePeriod: z.number().int().min(1).max(10_000).default(1),
    /** ASHA: each rung keeps the best 1/reductionFactor (Ray Tune's default, 4). */
    reductionFactor: z.number().min(1.5).max(100).default(4),
    /**
     * Median: how many succeeded members must have a value at the epoch before the rule stops
     * anything there (Ray Tune's min_samples_required is 3; Optuna's n_startup_trials, 5).
     */
    minSamples: z.number().int().min(1).max(10_000).default(3),
  })
  .strict();
export type EarlyStoppingSpec = z.infer<typeof EarlyStoppingSpec>;
export type EarlyStoppingInput = z.input<typeof EarlyStoppingSpec>;

export function stoppingMode(rule: Pick<EarlyStoppingSpec, 'metric' | 'mode'>): 'min' | 'max' {
  return rule.mode ?? (/accuracy/.test(rule.metric) ? 'max' : 'min');
}

/**
 * ASHA's rungs for a member that trains `epochs` epochs: gracePeriod x factor^k, each judged at the
 * first whole epoch that reaches it (as Ray Tune's `iteration >= milestone`), below `epochs`.
 */
export function ashaRungs(rule: Pick<EarlyStoppingSpec, 'gracePeriod' | 'reductionFactor'>, epochs: number): number[] {
  const rungs: number[] = [];
  for (let r = rule.gracePeriod; Math.ceil(r - 1e-9) < epochs; r *= rule.reductionFactor) {
    const epoch = Math.ceil(r - 1e-9);
    if (rungs.at(-1) !== epoch) rungs.push(epoch);
  }
  return rungs;
}

/** One decision, kept on the experiment: what was compared, with which numbers, and the outcome. */
export const StoppingDecision = z.object({
  epoch: z.number().int(),
  rule: z.enum(EARLY_STOPPING_RULES),
  metric: z.string(),
  /** The member's value used (ASHA: at this epoch; median: its best so far). */
  value: z.number(),
  /** The value it had to match or beat; null when there was nothing to compare with. */
  cutoff: z.number().nullable(),
  /** How many other members' values the cutoff came from. */
  compared: z.number().int(),
  action: z.enum(['continue', 'stop']),
});
export type StoppingDecision = z.infer<typeof StoppingDecision>;

/** What the worker knows at the end of an epoch. */
export interface StoppingInput {
  epoch: number;
  /** Epochs the member trains in all: no decision at the last one (nothing left to save). */
  epochs: number;
  /** The member's value of the metric at each epoch so far (index 0 = epoch 1); NaN where missing. */
  history: number[];
  /** ASHA: other members' values at this epoch. Median: finished members' values at this epoch. */
  others: number[];
}

/**
 * The decision at the end of `epoch`, or null when the rule does not decide at this epoch (not a
 * rung, inside the grace period, the last epoch, or the metric not recorded).
 */
export function decideStopping(rule: EarlyStoppingSpec, input: StoppingInput): StoppingDecision | null {
  const { epoch, epochs, history, others } = input;
  if (epoch >= epochs || epoch < rule.gracePeriod) return null;
  const sign = stoppingMode(rule) === 'min' ? 1 : -1;
  // Compared as "smaller is better" throughout: values of a max metric are negated, then restored.
  const current = history[epoch - 1];
  if (current === undefined || !Number.isFinite(current)) return null;
  const base = { epoch, rule: rule.type, metric: rule.metric } as const;
  const peers = others.filter(Number.isFinite).map((v) => sign * v);

  if (rule.type === 'asha') {
    if (!ashaRungs(rule, epochs).includes(epoch)) return null;
    if (peers.length === 0) return { ...base, value: current, cutoff: null, compared: 0, action: 'continue' };
    const cutoff = percentile(peers, 100 / rule.reductionFactor);
    const action = sign * current > cutoff ? 'stop' : 'continue';
    return { ...base, value: current, cutoff: sign * cutoff, compared: peers.length, action };
  }

  const seen = history.slice(0, epoch).filter(Number.isFinite);
  const best = Math.min(...seen.map((v) => sign * v));
  if (peers.length < rule.minSamples) return null;
  const median = percentile(peers, 50);
  return {
    ...base,
    value: sign * best,
    cutoff: sign * median,
    compared: peers.length,
    action: best > median ? 'stop' : 'continue',
  };
}

/** The p-th percentile (0..100) with linear interpolation between order statistics, as numpy's default. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = ((sorted.length - 1) * p) / 100;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}
