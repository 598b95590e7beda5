import { describe, expect, it } from 'vitest';
import { scoreMetrics } from './ensemble';

describe('scoreMetrics', () => {
  it('scores top-1 and, with more than five classes, top-5 error as the trainer does', () => {
    // Six classes: label 5 ranks last (wrong in the top five), label 4 ranks fifth (right).
    const six = Float32Array.of(0.3, 0.25, 0.2, 0.15, 0.07, 0.03, 0.3, 0.25, 0.2, 0.15, 0.07, 0.03);
    const m = scoreMetrics(six, Int32Array.of(5, 4), 6);
    expect(m).toMatchObject({ error: 1, top5Error: 0.5 });
    expect(m.loss).toBeCloseTo(-(Math.log(0.03) + Math.log(0.07)) / 2, 6);
    // With five classes every label is in the top five: no top-5 error reported.
    expect(scoreMetrics(Float32Array.of(0.4, 0.3, 0.2, 0.05, 0.05), Int32Array.of(4), 5).top5Error).toBeUndefined();
  });
});
