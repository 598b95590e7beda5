import { describe, expect, it } from 'vitest';
import { LogitStats } from './evaluation.metrics';

describe('LogitStats', () => {
  it('computes mean cross-entropy and top-1 error from logits', () => {
    const s = new LogitStats(3);
    // Row 0: class 0 wins (correct); row 1: class 2 wins but label is 1 (wrong).
    const wrong = s.add(Float32Array.of(2, 0, 0, 0, 1, 3), Int32Array.of(0, 1));
    expect(wrong).toBe(1);
    const ce = (row: number[], label: number) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[label]!;
    const r = s.result();
    expect(r.loss).toBeCloseTo((ce([2, 0, 0], 0) + ce([0, 1, 3], 1)) / 2, 6);
    expect(r.error).toBe(0.5);
    expect(r.top5Error).toBeUndefined();
  });

  it('reports top-5 error only with more than 5 classes', () => {
    const five = new LogitStats(5);
    five.add(Float32Array.of(5, 4, 3, 2, 1), Int32Array.of(4));
    expect(five.result().top5Error).toBeUndefined();
    const six = new LogitStats(6);
    // Label 5 ranks last of six: wrong in the top five; label 4 ranks fifth: right.
    six.add(Float32Array.of(6, 5, 4, 3, 2, 1, 6, 5, 4, 3, 2, 1), Int32Array.of(5, 4));
    expect(six.result()).toMatchObject({ error: 1, top5Error: 0.5 });
  });

  it('counts ties against the label in the top five', () => {
    const s = new LogitStats(12);
    const logits = new Float32Array(24);
    // Row 0: label 11 ranks 6th (five logits above it); row 1: all equal (a constant output).
    [10, 9, 8, 7, 6].forEach((c, i) => (logits[c] = 10 - i));
    logits[11] = 1;
    s.add(logits, Int32Array.of(11, 3));
    expect(s.result()).toMatchObject({ error: 1, top5Error: 1 });
    const near = new LogitStats(12);
    const l2 = new Float32Array(12);
    [10, 9, 8, 7].forEach((c) => (l2[c] = 5));
    l2[11] = 1;
    near.add(l2, Int32Array.of(11));
    expect(near.result()).toMatchObject({ error: 1, top5Error: 0 });
  });
});
