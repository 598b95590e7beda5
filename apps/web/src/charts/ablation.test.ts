import { describe, expect, it } from 'vitest';
import type { Summary } from '../api/types';
import { ablation, ablationAxes, axisValues, groupStats, heatmap, parallelCoordinates } from './ablation';
import { ablationCsv, heatmapCsv, parallelCsv, toCsv } from './export-data';

const stat = (mean: number, std = 0, n = 1) => ({ mean, std, n });
const noStats: Record<string, ReturnType<typeof stat>> = {};

/** A summary with one group per (family, kernel, width); validation error given per group. */
function summaryOf(groups: { family: string; kernel: number; width?: number; error?: number; n?: number }[]): Summary {
  return {
    gridId: '00000000-0000-4000-8000-000000000000',
    axes: ['architecture.family', 'architecture.shortcutKernel', 'architecture.widthMultiplier', 'training.seed'],
    experiments: [],
    groups: groups.map((g, i) => ({
      group: `g${i}`,
      values: {
        'architecture.family': g.family,
        'architecture.shortcutKernel': g.kernel,
        'architecture.widthMultiplier': g.width ?? 1,
      },
      n: g.n ?? 3,
      succeeded: g.error === undefined ? 0 : (g.n ?? 3),
      stopped: 0,
      final: g.error === undefined ? noStats : { 'validation.error': stat(g.error, 0.01, g.n ?? 3) },
      best: {},
    })),
    degradation: { series: [], plainDegrades: null, residualImproves: null, reproduced: null },
  };
}

describe('groupStats', () => {
  const summary = summaryOf([
    { family: 'resnet', kernel: 7, error: 0.3 },
    { family: 'resnet', kernel: 1, error: 0.1 },
    { family: 'plain', kernel: 1 },
  ]);

  it('keeps the groups that have the metric, with their mean ± std and n', () => {
    const stats = groupStats(summary, 'validation.error', 'final');
    expect(stats.map((s) => s.group)).toEqual(['g0', 'g1']);
    expect(stats[0]!.stat).toEqual({ mean: 0.3, std: 0.01, n: 3 });
    expect(groupStats(summary, 'validation.error', 'best')).toEqual([]);
  });

  it("applies the table's axis filters, ignoring a seed filter (groups span the seeds)", () => {
    const kept = groupStats(summary, 'validation.error', 'final', {
      'architecture.shortcutKernel': '1',
      'training.seed': '2',
    });
    expect(kept.map((s) => s.group)).toEqual(['g1']);
  });
});

describe('ablation', () => {
  const stats = groupStats(
    summaryOf([
      { family: 'resnet', kernel: 7, error: 0.3 },
      { family: 'resnet', kernel: 1, error: 0.1 },
      { family: 'resnet', kernel: 3, error: 0.15 },
      { family: 'plain', kernel: 1, error: 0.2 },
    ]),
    'validation.error',
    'final',
  );

  it('offers only the axes that vary', () => {
    expect(ablationAxes(stats)).toEqual(['architecture.family', 'architecture.shortcutKernel']);
  });

  it('orders numeric values numerically, not as text', () => {
    expect(axisValues(stats, 'architecture.shortcutKernel')).toEqual([1, 3, 7]);
  });

  it('makes one series per value of the other axes, each point placed at its value', () => {
    const a = ablation(stats, 'architecture.shortcutKernel');
    expect(a.xs).toEqual([1, 3, 7]);
    expect(a.series.map((s) => s.label)).toEqual(['family plain', 'family resnet']);
    const resnet = a.series[1]!;
    expect(resnet.points.map((p) => [p.at, p.x, p.mean])).toEqual([
      [0, 1, 0.1],
      [1, 3, 0.15],
      [2, 7, 0.3],
    ]);
    expect(a.series[0]!.points.map((p) => p.at)).toEqual([0]);
  });

  it('pools groups that differ only in an axis left out of the series (mean of means, spread of means)', () => {
    const pooled = groupStats(
      summaryOf([
        { family: 'resnet', kernel: 1, width: 1, error: 0.1 },
        { family: 'resnet', kernel: 1, width: 2, error: 0.3 },
      ]),
      'validation.error',
      'final',
    );
    const h = heatmap(pooled, 'architecture.shortcutKernel', 'architecture.family');
    expect(h.pooled).toBe(true);
    expect(h.cells[0]![0]!.mean).toBeCloseTo(0.2);
    expect(h.cells[0]![0]!.std).toBeCloseTo(Math.SQRT2 * 0.1);
    expect(h.cells[0]![0]!.n).toBe(6);
  });

  it('writes its points as CSV', () => {
    const csv = ablationCsv(ablation(stats, 'architecture.shortcutKernel'), 'validation error').split('\r\n');
    expect(csv[0]).toBe('series,shortcutKernel,validation error mean,validation error std,n');
    expect(csv).toContain('family resnet,7,0.3,0.01,3');
    expect(csv).toHaveLength(1 + 4 + 1); // header, four points, final newline
  });
});

describe('heatmap', () => {
  const stats = groupStats(
    summaryOf([
      { family: 'resnet', kernel: 1, error: 0.1 },
      { family: 'resnet', kernel: 7, error: 0.3 },
      { family: 'plain', kernel: 1, error: 0.2 },
    ]),
    'validation.error',
    'final',
  );

  it('fills a cell per pair of values, leaves missing pairs empty, and knows the range', () => {
    const h = heatmap(stats, 'architecture.shortcutKernel', 'architecture.family');
    expect(h.xs).toEqual([1, 7]);
    expect(h.ys).toEqual(['plain', 'resnet']);
    expect(h.cells.map((row) => row.map((c) => c?.mean ?? null))).toEqual([
      [0.2, null],
      [0.1, 0.3],
    ]);
    expect([h.min, h.max]).toEqual([0.1, 0.3]);
    expect(h.pooled).toBe(false);
    expect(heatmapCsv(h, 'err').split('\r\n')).toContain('7,resnet,0.3,0.01,3');
  });
});

describe('parallelCoordinates', () => {
  it('places each group on every axis and the metric scaled to its range', () => {
    const stats = groupStats(
      summaryOf([
        { family: 'plain', kernel: 1, width: 1, error: 0.4 },
        { family: 'resnet', kernel: 7, width: 2, error: 0.1 },
        { family: 'resnet', kernel: 3, width: 1, error: 0.2 },
      ]),
      'validation.error',
      'final',
    );
    const axes = ablationAxes(stats);
    const p = parallelCoordinates(stats, axes);
    expect(p.dimensions.map((d) => d.values)).toEqual([
      ['plain', 'resnet'],
      [1, 3, 7],
      [1, 2],
    ]);
    expect(p.lines[0]!.positions).toEqual([0, 0, 0, 1]);
    expect(p.lines[1]!.positions).toEqual([1, 1, 1, 0]);
    expect(p.lines[2]!.positions[1]).toBe(0.5);
    expect(p.lines[2]!.positions[3]).toBeCloseTo(1 / 3);
    expect(parallelCsv(p.dimensions, p.lines, 'err').split('\r\n')[2]).toBe('resnet,7,2,0.1,0.01,3');
  });
});

describe('toCsv', () => {
  it('quotes what needs quoting and leaves missing or non-finite numbers empty', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [null, Number.NaN],
          [1.5, 'line\nbreak'],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n,\r\n1.5,"line\nbreak"\r\n');
  });
});
