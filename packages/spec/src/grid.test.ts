import { describe, expect, it } from 'vitest';
import { expandGrid, GridDefinition, GridError, type GridDefinitionInput } from './grid';
import { PRESET_NAMES, presetGrid } from './presets';

const TINY_BASE = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 1, batchSize: 32 },
};

const expand = (input: GridDefinitionInput, maxExperiments = 10_000) =>
  expandGrid(GridDefinition.parse(input), { maxExperiments });

function errorsOf(fn: () => unknown): GridError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GridError) return error;
    throw error;
  }
  throw new Error('expected a GridError');
}

describe('expandGrid', () => {
  it('crosses axes in declaration order, last axis fastest', () => {
    const out = expand({ base: TINY_BASE, axes: { 'architecture.depth': [8, 14], 'training.seed': [0, 1, 2] } });
    expect(out.total).toBe(6);
    expect(out.points.map((p) => [p.spec.architecture.depth, p.spec.training.seed])).toEqual([
      [8, 0],
      [8, 1],
      [8, 2],
      [14, 0],
      [14, 1],
      [14, 2],
    ]);
    expect(new Set(out.points.map((p) => p.specHash)).size).toBe(6);
    // Seeds share a group; depths do not.
    expect(new Set(out.points.map((p) => p.groupKey)).size).toBe(2);
  });

  it('zips paths in lockstep (axes outermost, then zip groups) and rejects uneven zip groups', () => {
    const out = expand({
      base: TINY_BASE,
      zip: [{ 'architecture.depth': [8, 14], 'training.epochs': [1, 2] }],
      axes: { 'training.seed': [0, 1] },
    });
    expect(out.points.map((p) => [p.spec.training.seed, p.spec.architecture.depth, p.spec.training.epochs])).toEqual([
      [0, 8, 1],
      [0, 14, 2],
      [1, 8, 1],
      [1, 14, 2],
    ]);
    const bad = errorsOf(() =>
      expand({ base: TINY_BASE, zip: [{ 'architecture.depth': [8, 14], 'training.epochs': [1] }] }),
    );
    expect(bad.errors).toEqual([expect.objectContaining({ field: 'zip.0.training.epochs' })]);
  });

  it('collapses a batchNorm axis for the families without a paper variant', () => {
    const axes = { 'architecture.batchNorm': [true, false] };
    const resnet = expand({ base: TINY_BASE, axes });
    expect(resnet.points).toHaveLength(1);
    expect(resnet.points[0]!.collapsed).toEqual(['architecture.batchNorm']);
    const lenet = expand({
      base: { ...TINY_BASE, architecture: { family: 'lenet5', inputSize: 16 } },
      axes,
    });
    expect(lenet.points.map((p) => p.values['architecture.batchNorm'])).toEqual([true, false]);
  });

  it('collapses axes that do not apply, so one network+seed is one experiment', () => {
    const out = expand({
      base: TINY_BASE,
      axes: {
        'architecture.family': ['cifar-plain', 'cifar-resnet'],
        'architecture.shortcut': ['A', 'B'],
        'architecture.shortcutKernel': [1, 3],
      },
    });
    expect(out.total).toBe(8);
    // plain: 1 network; resnet A: 1 (no projection); resnet B: kernels 1 and 3.
    expect(out.points).toHaveLength(4);
    expect(out.duplicates).toBe(4);
    const plain = out.points.find((p) => p.spec.architecture.family === 'cifar-plain')!;
    expect(plain.collapsed).toEqual(['architecture.shortcut', 'architecture.shortcutKernel']);
    expect(plain.values).toMatchObject({ 'architecture.shortcut': null, 'architecture.shortcutKernel': null });
    const optionA = out.points.find(
      (p) => p.spec.architecture.family === 'cifar-resnet' && p.spec.architecture.shortcut === 'A',
    )!;
    expect(optionA.collapsed).toEqual(['architecture.shortcutKernel']);
  });

  it('drops excluded points, with any-of matching', () => {
    const out = expand({
      base: TINY_BASE,
      axes: { 'architecture.depth': [8, 14, 20], 'training.seed': [0, 1] },
      exclude: [{ 'architecture.depth': [14, 20], 'training.seed': 1 }],
    });
    expect(out.excluded).toBe(2);
    expect(out.points).toHaveLength(4);
    const bad = errorsOf(() =>
      expand({ base: TINY_BASE, axes: { 'training.seed': [0] }, exclude: [{ 'training.epochs': 1 }] }),
    );
    expect(bad.errors[0]!.field).toBe('exclude.0.training.epochs');
  });

  it('matches a rule on zip-group paths together, and several rules independently', () => {
    const out = expand({
      base: TINY_BASE,
      axes: { 'training.seed': [0, 1] },
      zip: [{ 'architecture.depth': [8, 14, 20], 'training.batchSize': [16, 32, 64] }],
      exclude: [
        { 'architecture.depth': 14, 'training.batchSize': 32 },
        { 'architecture.depth': 20, 'training.seed': 0 },
      ],
    });
    const kept = out.points.map(
      (p) => `${String(p.values['architecture.depth'])}/${String(p.values['training.seed'])}`,
    );
    expect(kept).toEqual(['8/0', '8/1', '20/1']);
    expect(out.excluded).toBe(3);
    // Paths of one zip group that never occur together match nothing.
    const none = expand({
      base: TINY_BASE,
      zip: [{ 'architecture.depth': [8, 14], 'training.batchSize': [16, 32] }],
      exclude: [{ 'architecture.depth': 8, 'training.batchSize': 32 }],
    });
    expect(none.excluded).toBe(0);
  });

  it('refuses exclusion whose cost (points x rules) is too high before checking any point', () => {
    // 10^6 points and 1,000 rules: 10^9 checks, which would hold the event loop for minutes.
    const values = Array.from({ length: 10 }, (_, i) => i);
    const axes = Object.fromEntries(
      ['seed', 'epochs', 'batchSize', 'learningRate', 'momentum', 'weightDecay'].map((k, i) => [
        `training.${k}`,
        values.map((v) => (k === 'seed' ? v : i * 100 + v + 1)),
      ]),
    );
    const exclude = Array.from({ length: 1_000 }, (_, i) => ({ 'training.seed': i % 10, 'training.epochs': 100 + i }));
    const error = errorsOf(() => expand({ base: TINY_BASE, axes, exclude }));
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]!.field).toBe('exclude');
    expect(error.errors[0]!.message).toMatch(/1000 rules x 1000000 points = 1000000000 checks; at most 10000000/);
    // The same rules over a small product are fine.
    const smallAxes = { 'training.seed': values, 'training.epochs': [100, 101, 102] };
    const small = expand({ base: TINY_BASE, axes: smallAxes, exclude: exclude.slice(0, 3) });
    expect(small.excluded).toBe(3);
    expect(small.points).toHaveLength(27);
  });

  it('samples n points reproducibly', () => {
    const def = {
      base: TINY_BASE,
      axes: { 'training.seed': Array.from({ length: 50 }, (_, i) => i) },
      sample: { n: 5, seed: 7 },
    };
    const a = expand(def);
    const b = expand(def);
    expect(a.points).toHaveLength(5);
    expect(a.unsampled).toBe(45);
    expect(a.points.map((p) => p.spec.training.seed)).toEqual(b.points.map((p) => p.spec.training.seed));
  });

  it('lists every bad point with its field, index and values', () => {
    const bad = errorsOf(() =>
      expand({
        base: TINY_BASE,
        axes: { 'architecture.family': ['cifar-resnet', 'resnet'], 'architecture.depth': [8, 18, 34] },
      }),
    );
    // cifar-resnet 18/34 break 6n+2; resnet 8 is not an ImageNet depth.
    expect(bad.errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'architecture.depth'],
      [2, 'architecture.depth'],
      [3, 'architecture.depth'],
    ]);
    expect(bad.errors[0]!.values).toEqual({ 'architecture.family': 'cifar-resnet', 'architecture.depth': 18 });
    expect(bad.errors[0]!.message).toContain('architecture.depth=18');
  });

  it('reports a mistake shared by every point once, and caps the list', () => {
    const typo = errorsOf(() =>
      expand({ base: { ...TINY_BASE, training: { epochs: 1, lr: 0.1 } }, axes: { 'training.seed': [0, 1, 2] } }),
    );
    expect(typo.errors).toEqual([{ field: 'training', message: expect.stringMatching(/^every point: .*lr/) }]);
    const many = errorsOf(() =>
      expand({
        base: TINY_BASE,
        axes: { 'training.seed': Array.from({ length: 1500 }, (_, i) => i), 'training.learningRate': [0.1, -1] },
      }),
    );
    expect(many.errors).toHaveLength(1001);
    expect(many.errors.at(-1)).toEqual({ field: '(grid)', message: '500 more point errors not listed' });
    expect(many.message).toBe('1500 of 3000 points are invalid');
  });

  it('enforces the maximum grid size with the field to change', () => {
    const bad = errorsOf(() => expand({ base: TINY_BASE, axes: { 'training.seed': [0, 1, 2, 3] } }, 3));
    expect(bad.errors[0]).toMatchObject({ field: 'axes' });
    expect(bad.errors[0]!.message).toMatch(/maximum grid size of 3/);
  });

  it('rejects a path varied twice', () => {
    const bad = errorsOf(() =>
      expand({ base: TINY_BASE, axes: { 'training.seed': [0] }, zip: [{ 'training.seed': [1] }] }),
    );
    expect(bad.errors[0]!.field).toBe('zip.0.training.seed');
  });

  it('expands 10,000 points quickly enough for the API', () => {
    const out = expand({
      base: TINY_BASE,
      axes: {
        'training.seed': Array.from({ length: 1000 }, (_, i) => i),
        'training.learningRate': [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1],
      },
    });
    expect(out.points).toHaveLength(10_000);
  });
});

describe('presets', () => {
  it.each(PRESET_NAMES)('%s expands to valid experiments at CPU and paper scale', (name) => {
    for (const scale of [0.01, 1]) {
      const out = expand(presetGrid(name, scale));
      expect(out.points.length).toBeGreaterThan(0);
    }
  });

  it.each(['resnet-paper/degradation', 'resnet-paper/shortcuts', 'cifar/depth', 'shortcut-kernel'] as const)(
    '%s trains the CIFAR schedule (164 epochs) at paper scale and shrinks epochs and width at CPU scale',
    (name) => {
      for (const scale of [0.01, 1]) {
        for (const p of expand(presetGrid(name, scale)).points) {
          expect(p.spec.training.epochs).toBe(scale === 1 ? 164 : 3);
          expect(p.spec.architecture.widthMultiplier).toBe(scale === 1 ? 1 : 0.25);
        }
      }
    },
  );

  it('vgg-paper/init-from-a trains A first, then B, D and E from it and from scratch, without batch norm', () => {
    const out = expand(presetGrid('vgg-paper/init-from-a', 1));
    expect(out.points).toHaveLength(7 * 3);
    const depthOf = (index: number | undefined) => out.points.find((q) => q.index === index)!.spec.architecture.depth;
    const label = (p: (typeof out.points)[number]) =>
      `${p.spec.architecture.depth}${p.spec.init ? `<-${depthOf(p.source)}` : ''}`;
    const seed0 = out.points.filter((p) => p.spec.training.seed === 0);
    expect(seed0.map(label)).toEqual(['11', '13<-11', '16<-11', '19<-11', '13', '16', '19']);
    // As the paper: net A's first four convolutions and its fully connected layers, by name.
    expect(seed0[3]!.spec.init!.load).toEqual([
      'block1_conv1',
      'block2_conv1',
      'block3_conv1',
      'block3_conv2',
      'fc1',
      'fc2',
      'logits',
    ]);
    expect(out.points.every((p) => p.spec.architecture.batchNorm === false && p.spec.training.epochs === 74)).toBe(
      true,
    );
    // A dependant's source is the A of its own seed.
    for (const p of out.points.filter((q) => q.source !== undefined)) {
      expect(out.points.find((q) => q.index === p.source)!.spec.training.seed).toBe(p.spec.training.seed);
    }
  });

  it('vgg-paper/scale-jitter trains VGG-11 at a fixed S and at S jittered, scored by every test protocol', () => {
    const out = expand(presetGrid('vgg-paper/scale-jitter', 0.1));
    expect(
      out.points.map((p) => [p.spec.dataset.scaleAugment, p.spec.training.denseScale, p.spec.training.testScales]),
    ).toEqual([
      // Fixed S = 256 scaled to 28-pixel crops, tested at S - 32, S and S + 32.
      [{ min: 32, max: 32 }, 32, [28, 32, 36]],
      // S jittered over [256, 512], tested at Smin, the middle and Smax.
      [{ min: 32, max: 64 }, 48, [32, 48, 64]],
    ]);
    for (const p of out.points) {
      expect(p.spec.architecture).toMatchObject({ family: 'vgg', depth: 11, batchNorm: false });
      expect(p.spec.training.testProtocols).toEqual(['center', '10-crop', 'dense', 'multi-scale']);
    }
  });

  it('transfer trains LeNet-5 on digits 0-4, then its head alone on 5-9, beside 5-9 from scratch', () => {
    const out = expand(presetGrid('transfer', 0.1));
    const describePoint = (p: (typeof out.points)[number]) =>
      `${p.spec.dataset.name === 'mnist' ? p.spec.dataset.labels!.join('') : '?'}/${p.spec.training.epochs}` +
      `${p.spec.init ? `/${p.spec.init.freeze}<-${out.points.findIndex((q) => q.index === p.source)}` : ''}`;
    expect(out.points.map(describePoint)).toEqual(['01234/2', '56789/1/all-but-head<-0', '56789/1']);
  });

  it('degradation crosses plain/residual with 18/34 and shortcut-kernel covers k = 1/3/5/7 on both networks', () => {
    const degradation = expand(presetGrid('resnet-paper/degradation', 1));
    expect(degradation.points.map((p) => `${p.spec.architecture.family}-${p.spec.architecture.depth}`)).toEqual(
      expect.arrayContaining(['plain-18', 'plain-34', 'resnet-18', 'resnet-34']),
    );
    expect(degradation.points).toHaveLength(12);
    const kernels = expand(presetGrid('shortcut-kernel', 0.01));
    expect(
      kernels.points
        .map((p) => `${p.spec.architecture.family}/${p.spec.dataset.name}/k${p.spec.architecture.shortcutKernel}`)
        .sort(),
    ).toEqual([
      'cifar-resnet/fashion-mnist/k1',
      'cifar-resnet/fashion-mnist/k3',
      'cifar-resnet/fashion-mnist/k5',
      'cifar-resnet/fashion-mnist/k7',
      'vgg16-skip/mnist/k1',
      'vgg16-skip/mnist/k3',
      'vgg16-skip/mnist/k5',
      'vgg16-skip/mnist/k7',
    ]);
  });
});
