import { describe, expect, it } from 'vitest';
import { ashaRungs, decideStopping, EarlyStoppingSpec, percentile, type EarlyStoppingInput } from './early-stopping';

const rule = (input: Partial<EarlyStoppingInput> & Pick<EarlyStoppingInput, 'type'>) => EarlyStoppingSpec.parse(input);

describe('early stopping rules', () => {
  it('interpolates percentiles as numpy does', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 0, 5], 25)).toBe(2.5);
    expect(percentile([7], 90)).toBe(7);
  });

  it('places ASHA rungs at gracePeriod x factor^k below the last epoch', () => {
    expect(ashaRungs({ gracePeriod: 1, reductionFactor: 2 }, 8)).toEqual([1, 2, 4]);
    expect(ashaRungs({ gracePeriod: 1, reductionFactor: 4 }, 100)).toEqual([1, 4, 16, 64]);
    expect(ashaRungs({ gracePeriod: 3, reductionFactor: 3 }, 9)).toEqual([3]);
    expect(ashaRungs({ gracePeriod: 5, reductionFactor: 2 }, 5)).toEqual([]);
    // A fractional factor: each rung at the first whole epoch that reaches it.
    expect(ashaRungs({ gracePeriod: 1, reductionFactor: 1.5 }, 8)).toEqual([1, 2, 3, 4, 6]);
  });

  it('ASHA keeps the best 1/factor at a rung and always promotes the first to reach it', () => {
    const asha = rule({ type: 'asha', reductionFactor: 2 });
    const at = (value: number, others: number[], epoch = 1) =>
      decideStopping(asha, { epoch, epochs: 8, history: Array(epoch).fill(value), others });
    expect(at(0.9, [])).toMatchObject({ action: 'continue', cutoff: null, compared: 0 });
    expect(at(0.5, [0.25, 0.75])).toMatchObject({ action: 'continue', cutoff: 0.5, compared: 2 });
    expect(at(0.51, [0.25, 0.75])).toMatchObject({ action: 'stop', cutoff: 0.5, value: 0.51 });
    // Not a rung (3), and no decision at the last epoch.
    expect(at(0.99, [0.1], 3)).toBeNull();
    expect(decideStopping(asha, { epoch: 8, epochs: 8, history: Array(8).fill(0.99), others: [0.1] })).toBeNull();
  });

  it('reads larger-is-better metrics the other way round', () => {
    const asha = rule({ type: 'asha', metric: 'validation.accuracy', reductionFactor: 2 });
    const at = (value: number) => decideStopping(asha, { epoch: 1, epochs: 4, history: [value], others: [0.5, 1] });
    expect(at(0.8)).toMatchObject({ action: 'continue', cutoff: 0.75 });
    expect(at(0.7)).toMatchObject({ action: 'stop', cutoff: 0.75 });
  });

  it('median rule: best so far against the median of finished members, after the grace period', () => {
    const median = rule({ type: 'median', gracePeriod: 2, minSamples: 3 });
    const decide = (history: number[], others: number[]) =>
      decideStopping(median, { epoch: history.length, epochs: 10, history, others });
    expect(decide([0.9], [0.1, 0.2, 0.3])).toBeNull(); // inside the grace period
    expect(decide([0.9, 0.8], [0.1, 0.2])).toBeNull(); // too few finished members
    expect(decide([0.9, 0.8], [0.1, 0.2, 0.3])).toMatchObject({ action: 'stop', value: 0.8, cutoff: 0.2 });
    // Its best so far (0.15, epoch 1) counts, not only the latest value.
    expect(decide([0.15, 0.5], [0.1, 0.2, 0.3])).toMatchObject({ action: 'continue', value: 0.15 });
  });

  it('makes no decision where the metric was not recorded', () => {
    const asha = rule({ type: 'asha' });
    expect(decideStopping(asha, { epoch: 1, epochs: 4, history: [NaN], others: [0.1] })).toBeNull();
  });

  it('names the bad field of a rule', () => {
    const result = EarlyStoppingSpec.safeParse({ type: 'asha', metric: 'validation error', reductionFactor: 1 });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['metric', 'reductionFactor']);
  });
});
