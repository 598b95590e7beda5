import { describe, expect, it } from 'vitest';
import { fitNonNegative } from './least-squares';

describe('fitNonNegative', () => {
  it('recovers exact coefficients of terms of very different magnitudes', () => {
    const truth = [2e-4, 3e-4, 1 / 6e10];
    const rows = [
      [1, 0.5, 3e6],
      [1, 3, 9e7],
      [1, 1.6, 1.8e7],
      [1, 0.25, 2e8],
    ];
    const targets = rows.map((r) => r.reduce((s, v, j) => s + v * truth[j]!, 0));
    const fit = fitNonNegative(rows, targets, [true, true, true], 3)!;
    fit.coefficients.forEach((c, j) => expect(c / truth[j]!).toBeCloseTo(1, 8));
    expect(fit.used).toEqual([true, true, true]);
    expect(fit.relativeError).toBeLessThan(1e-10);
  });

  it('drops a term whose unconstrained coefficient would be negative, and keeps the best of the rest', () => {
    // y falls as the second term grows: its least-squares coefficient is negative.
    const rows = [
      [1, 1],
      [1, 2],
      [1, 3],
    ];
    const fit = fitNonNegative(rows, [3, 2.5, 2], [true, true], 2)!;
    expect(fit.used).toEqual([true, false]);
    expect(fit.coefficients[1]).toBe(0);
    // The overhead alone, on relative error: between the smallest and largest target.
    expect(fit.coefficients[0]).toBeGreaterThan(2);
    expect(fit.coefficients[0]).toBeLessThan(3);
  });

  it('uses only the terms allowed and no more than maxTerms of them', () => {
    const rows = [
      [1, 1],
      [1, 4],
    ];
    const targets = [2, 5];
    expect(fitNonNegative(rows, targets, [true, false], 2)!.used).toEqual([true, false]);
    expect(fitNonNegative(rows, targets, [true, true], 1)!.used.filter(Boolean)).toHaveLength(1);
    expect(fitNonNegative(rows, targets, [true, true], 0)).toBeNull();
  });

  it('measures residuals relative to what it is given, for a remainder of a larger figure', () => {
    const fit = fitNonNegative([[1], [1]], [1, 3], [true], 1, [10, 10])!;
    // Equal weights (both relative to 10): the plain mean.
    expect(fit.coefficients[0]).toBeCloseTo(2, 10);
  });
});
