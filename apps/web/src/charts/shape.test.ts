import { describe, expect, it } from 'vitest';
import {
  alignLines,
  buildFigure,
  downsample,
  groupOverSeeds,
  meanStd,
  seedlessKey,
  varyingAxes,
  type BandPoint,
  type ExperimentCurve,
} from './shape';

const curve = (
  id: string,
  family: string,
  depth: number,
  seed: number,
  values: number[],
  firstEpoch = 1,
): ExperimentCurve => ({
  experimentId: id,
  values: { 'architecture.family': family, 'architecture.depth': depth, 'training.seed': seed },
  family,
  depth,
  points: values.map((value, i) => ({ epoch: firstEpoch + i, value })),
});

describe('meanStd', () => {
  it('gives the mean and the sample standard deviation, as the API does', () => {
    const s = meanStd([0.2, 0.4, 0.6]);
    expect(s.mean).toBeCloseTo(0.4);
    expect(s.std).toBeCloseTo(0.2); // sqrt(((-.2)^2 + 0 + .2^2) / 2)
    expect(s.n).toBe(3);
  });

  it('has no spread for one value and no mean for none', () => {
    expect(meanStd([0.3])).toEqual({ mean: 0.3, std: 0, n: 1 });
    expect(meanStd([]).n).toBe(0);
    expect(meanStd([]).mean).toBeNaN();
  });
});

describe('groupOverSeeds', () => {
  it('puts runs that differ only in seed in one group, whatever the key order', () => {
    expect(seedlessKey({ a: 1, 'training.seed': 0, b: 2 })).toBe(seedlessKey({ b: 2, a: 1, 'training.seed': 5 }));
    const groups = groupOverSeeds([
      curve('p20s0', 'cifar-plain', 20, 0, [0.8, 0.6]),
      curve('p20s1', 'cifar-plain', 20, 1, [0.6, 0.4]),
      curve('r20s0', 'cifar-resnet', 20, 0, [0.5, 0.3]),
    ]);
    expect(groups).toHaveLength(2);
    const plain = groups.find((g) => g.family === 'cifar-plain')!;
    expect(plain.experimentIds).toEqual(['p20s0', 'p20s1']);
    expect(plain.values).toEqual({ 'architecture.family': 'cifar-plain', 'architecture.depth': 20 });
    expect(plain.points.map((p) => p.epoch)).toEqual([1, 2]);
    expect(plain.points[0]!.mean).toBeCloseTo(0.7);
    expect(plain.points[0]!.std).toBeCloseTo(Math.SQRT2 * 0.1);
    expect(plain.points[1]!.n).toBe(2);
    const residual = groups.find((g) => g.family === 'cifar-resnet')!;
    expect(residual.points[1]).toEqual({ epoch: 2, mean: 0.3, std: 0, n: 1 });
  });

  it('averages each epoch over the seeds that reached it (a live grid is uneven)', () => {
    const [g] = groupOverSeeds([curve('a', 'resnet', 18, 0, [0.9, 0.7, 0.5]), curve('b', 'resnet', 18, 1, [0.7])]);
    expect(g!.points.map((p) => [p.epoch, p.n])).toEqual([
      [1, 2],
      [2, 1],
      [3, 1],
    ]);
    expect(g!.points[0]!.mean).toBeCloseTo(0.8);
    expect(g!.points[2]!.mean).toBeCloseTo(0.5);
  });

  it('sorts epochs and skips values that are not finite', () => {
    const c = curve('a', 'plain', 18, 0, []);
    c.points = [
      { epoch: 3, value: 0.1 },
      { epoch: 1, value: 0.3 },
      { epoch: 2, value: Number.NaN },
    ];
    expect(groupOverSeeds([c])[0]!.points.map((p) => p.epoch)).toEqual([1, 3]);
  });
});

describe('downsample', () => {
  const series = (n: number): BandPoint[] =>
    Array.from({ length: n }, (_, i) => ({ epoch: i + 1, mean: i + 1, std: 1, n: 3 }));

  it('leaves short series alone', () => {
    const s = series(5);
    expect(downsample(s, 5)).toBe(s);
  });

  it('averages equal buckets of consecutive epochs and keeps the last epoch', () => {
    const out = downsample(series(10), 5);
    expect(out.map((p) => p.epoch)).toEqual([2, 4, 6, 8, 10]);
    expect(out.map((p) => p.mean)).toEqual([1.5, 3.5, 5.5, 7.5, 9.5]);
    expect(out.every((p) => p.std === 1 && p.n === 3)).toBe(true);
  });

  it('never returns more points than asked, with an uneven last bucket', () => {
    for (const [n, max] of [
      [1000, 200],
      [201, 200],
      [7, 3],
      [164, 50],
    ] as const) {
      const out = downsample(series(n), max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out.at(-1)!.epoch).toBe(n);
    }
    expect(downsample(series(7), 3).at(-1)!.mean).toBe(7);
  });

  it('keeps the fewest seeds of a bucket as its n', () => {
    const s = series(4);
    s[1]!.n = 1;
    expect(downsample(s, 2).map((p) => p.n)).toEqual([1, 3]);
  });
});

describe('buildFigure', () => {
  const grid = (split: 'train' | 'validation') => [
    curve('p8', 'cifar-plain', 8, 0, split === 'train' ? [0.5, 0.4] : [0.6, 0.5]),
    curve('p14', 'cifar-plain', 14, 0, split === 'train' ? [0.6, 0.5] : [0.7, 0.6]),
    curve('r8a', 'cifar-resnet', 8, 0, split === 'train' ? [0.5, 0.3] : [0.6, 0.4]),
    curve('r8b', 'cifar-resnet', 8, 1, split === 'train' ? [0.4, 0.2] : [0.5, 0.3]),
    curve('r14', 'cifar-resnet', 14, 0, split === 'train' ? [0.4, 0.2] : [0.5, 0.3]),
  ];

  it('draws plain beside residual, one colour per depth, thin training and bold validation lines', () => {
    const panels = buildFigure({
      train: grid('train'),
      heldOut: grid('validation'),
      heldOutSplit: 'validation',
      maxPoints: 100,
    });
    expect(panels.map((p) => p.title)).toEqual(['Plain networks', 'Residual networks']);
    const [plain, residual] = panels;
    expect(plain!.lines.map((l) => l.label)).toEqual([
      'cifar-plain depth 8 (train)',
      'cifar-plain depth 14 (train)',
      'cifar-plain depth 8 (validation)',
      'cifar-plain depth 14 (validation)',
    ]);
    // Same depth, same colour, in both panels and both splits; different depths differ.
    const colour = (panel: typeof plain, label: string) => panel!.lines.find((l) => l.label.startsWith(label))!.colour;
    expect(colour(plain, 'cifar-plain depth 8')).toBe(colour(residual, 'cifar-resnet depth 8'));
    expect(colour(plain, 'cifar-plain depth 8')).not.toBe(colour(plain, 'cifar-plain depth 14'));
    for (const line of [...plain!.lines, ...residual!.lines]) expect(line.width).toBe(line.split === 'train' ? 1 : 2.5);
    // Only the depth-8 residual group has two seeds, so only it gets a band.
    expect(residual!.lines.filter((l) => l.band).map((l) => l.label)).toEqual([
      'cifar-resnet depth 8 (train)',
      'cifar-resnet depth 8 (validation)',
    ]);
  });

  it('thins every line to maxPoints', () => {
    const long = [
      curve(
        'a',
        'resnet',
        18,
        0,
        Array.from({ length: 300 }, (_, i) => 1 / (i + 1)),
      ),
    ];
    const [panel] = buildFigure({ train: long, heldOut: long, heldOutSplit: 'test', maxPoints: 60 });
    expect(panel!.lines.every((l) => l.points.length <= 60)).toBe(true);
    expect(panel!.lines.map((l) => l.split)).toEqual(['train', 'test']);
  });

  it('names groups by the axes that vary when depth is fixed', () => {
    const k = (id: string, kernel: number): ExperimentCurve => ({
      experimentId: id,
      values: { 'architecture.shortcutKernel': kernel },
      family: 'cifar-resnet',
      depth: 20,
      points: [{ epoch: 1, value: 0.5 }],
    });
    const [panel] = buildFigure({
      train: [k('a', 1), k('b', 3)],
      heldOut: [],
      heldOutSplit: 'validation',
      maxPoints: 10,
    });
    expect(panel!.lines.map((l) => l.label)).toEqual([
      'cifar-resnet shortcutKernel 1 (train)',
      'cifar-resnet shortcutKernel 3 (train)',
    ]);
    expect(panel!.lines[0]!.colour).not.toBe(panel!.lines[1]!.colour);
  });
});

describe('varyingAxes and alignLines', () => {
  it('finds the axes whose values differ', () => {
    expect(varyingAxes([{ a: 1, b: 2 }, { a: 1, b: 3 }, { a: 1 }])).toEqual(['b']);
  });

  it('aligns lines on the union of their epochs with null gaps and mean ± std bounds', () => {
    const line = (epochs: number[]) => ({
      id: String(epochs),
      label: '',
      colour: '#000',
      split: 'train' as const,
      width: 1,
      band: true,
      points: epochs.map((epoch) => ({ epoch, mean: epoch / 10, std: 0.05, n: 2 })),
    });
    const { x, series } = alignLines([line([1, 2, 3]), line([2, 4])]);
    expect(x).toEqual([1, 2, 3, 4]);
    expect(series[1]!.mean).toEqual([null, 0.2, null, 0.4]);
    expect(series[0]!.lower[0]).toBeCloseTo(0.05);
    expect(series[0]!.upper[2]).toBeCloseTo(0.35);
  });
});
