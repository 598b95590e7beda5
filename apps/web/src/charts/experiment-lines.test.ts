import { describe, expect, it } from 'vitest';
import { experimentLines } from './experiment-lines';

const metrics = [
  { epoch: 2, split: 'train', name: 'error', value: 0.3 },
  { epoch: 1, split: 'train', name: 'error', value: 0.5 },
  { epoch: 1, split: 'validation', name: 'error', value: 0.6 },
  { epoch: 2, split: 'validation', name: 'error', value: 0.4 },
  { epoch: 2, split: 'test', name: 'error', value: 0.45 },
  { epoch: 2, split: 'train', name: 'loss', value: 1.1 },
];

describe('experimentLines', () => {
  it('draws each split of one metric, epochs in order, training thin and held-out bold', () => {
    const lines = experimentLines(metrics, 'error');
    expect(lines.map((l) => [l.split, l.width, l.points.map((p) => p.epoch)])).toEqual([
      ['train', 1, [1, 2]],
      ['validation', 2.5, [1, 2]],
      ['test', 2.5, [2]],
    ]);
    expect(lines[0]!.points[0]!.mean).toBe(0.5);
    // Alone, the test split gets its own colour; validation shares training's.
    expect(lines[0]!.colour).toBe(lines[1]!.colour);
    expect(lines[2]!.colour).not.toBe(lines[1]!.colour);
  });

  it('keeps training and one held-out split, in one colour, for overlays', () => {
    const lines = experimentLines(metrics, 'error', { colour: '#123456', prefix: 'A ', heldOutOnly: true });
    expect(lines.map((l) => l.label)).toEqual(['A train error', 'A validation error']);
    expect(new Set(lines.map((l) => l.colour))).toEqual(new Set(['#123456']));
    const testOnly = metrics.filter((m) => m.split !== 'validation');
    expect(experimentLines(testOnly, 'error', { heldOutOnly: true }).map((l) => l.split)).toEqual(['train', 'test']);
  });
});
