import { describe, expect, it } from 'vitest';
import { expandGrid, GridDefinition, GridError, type GridDefinitionInput } from './grid';

const BASE = {
  architecture: { family: 'vgg', widthMultiplier: 0.125, batchNorm: false },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 32, classes: 4 },
  training: { epochs: 1, batchSize: 32 },
};
/** VGG as its paper trained it: A (11) first, B-E initialised from it, beside B-E from scratch. */
const FROM_A = { from: { point: { 'architecture.depth': 11 }, epoch: 'last' } };
const VGG_CHAIN: GridDefinitionInput = {
  base: BASE,
  axes: { 'training.seed': [0, 1] },
  zip: [{ 'architecture.depth': [11, 13, 16, 13, 16], init: [null, FROM_A, FROM_A, null, null] }],
};

const expand = (input: GridDefinitionInput) => expandGrid(GridDefinition.parse(input), { maxExperiments: 100 });

function gridError(input: GridDefinitionInput): GridError {
  try {
    expand(input);
  } catch (error) {
    if (error instanceof GridError) return error;
    throw error;
  }
  throw new Error('expected a GridError');
}

describe('warm-start sources within a grid (init.from.point)', () => {
  it('links each dependant to the source point with its other values (the same seed), and init: null is none', () => {
    const { points } = expand(VGG_CHAIN);
    expect(points).toHaveLength(10);
    const label = (i: number | undefined) => {
      const p = points.find((q) => q.index === i)!;
      return `${p.spec.architecture.depth}/${p.spec.training.seed}/${p.spec.init ? 'warm' : 'scratch'}`;
    };
    const links = points.filter((p) => p.source !== undefined).map((p) => `${label(p.index)} <- ${label(p.source)}`);
    expect(links.sort()).toEqual([
      '13/0/warm <- 11/0/scratch',
      '13/1/warm <- 11/1/scratch',
      '16/0/warm <- 11/0/scratch',
      '16/1/warm <- 11/1/scratch',
    ]);
    // Warm and from-scratch B are two experiments with two hashes.
    const b = points.filter((p) => p.spec.architecture.depth === 13 && p.spec.training.seed === 0);
    expect(new Set(b.map((p) => p.specHash)).size).toBe(2);
  });

  it('refuses a point that names no point, a non-axis, itself, other inputs or a cycle, naming the point', () => {
    const noSuch = gridError({
      ...VGG_CHAIN,
      zip: [{ 'architecture.depth': [11, 13], init: [null, { from: { point: { 'architecture.depth': 19 } } }] }],
    });
    expect(noSuch.errors[0]).toMatchObject({ field: 'init.from.point', index: 1 });
    expect(noSuch.errors[0]!.message).toMatch(/no point of this grid has \{"architecture.depth":19\}/);

    const notAxis = gridError({
      base: { ...BASE, init: { from: { point: { 'training.epochs': 3 } } } },
      axes: { 'architecture.depth': [11, 13] },
    });
    expect(notAxis.errors[0]!.message).toMatch(/training.epochs is not an axis of this grid/);

    const self = gridError({ base: { ...BASE, init: FROM_A }, axes: { 'architecture.depth': [11, 13] } });
    expect(self.errors[0]!.message).toMatch(/point 0: names the point itself/);

    const otherInputs = gridError({
      base: BASE,
      zip: [
        {
          'dataset.imageSize': [32, 16],
          init: [null, { from: { point: { 'dataset.imageSize': 32 } } }],
        },
      ],
    });
    expect(otherInputs.errors[0]!.message).toMatch(
      /its source \(point 0\) takes 32x32x3 inputs; this network takes 16x16x3/,
    );

    const cycle = gridError({
      base: BASE,
      zip: [
        {
          'architecture.depth': [11, 13],
          init: [{ from: { point: { 'architecture.depth': 13 } } }, { from: { point: { 'architecture.depth': 11 } } }],
        },
      ],
    });
    expect(cycle.errors[0]!.message).toMatch(/form a cycle/);
  });

  it('among points that differ only in their warm start, takes the one trained from scratch', () => {
    const fromB = { from: { point: { 'architecture.depth': 13 } } };
    for (const order of [
      [FROM_A, null],
      [null, FROM_A],
    ]) {
      const { points } = expand({
        base: BASE,
        zip: [{ 'architecture.depth': [11, 13, 16, 13], init: [null, order[0], fromB, order[1]] }],
      });
      const d16 = points.find((p) => p.spec.architecture.depth === 16)!;
      const source = points.find((p) => p.index === d16.source)!;
      expect(source.spec.architecture.depth).toBe(13);
      expect(source.spec.init).toBeUndefined();
    }
  });
});
