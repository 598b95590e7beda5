import { describe, expect, it } from 'vitest';
import {
  ARCHITECTURE_CATALOG,
  ARCHITECTURE_FAMILIES,
  ArchitectureSpec,
  ExperimentSpec,
  isAllowedDepth,
  normalizeArchitecture,
  specHash,
  type ArchitectureSpecInput,
} from './index';

const parse = (input: ArchitectureSpecInput) => ArchitectureSpec.parse(input);
const issues = (input: unknown) => {
  const r = ArchitectureSpec.safeParse(input);
  expect(r.success).toBe(false);
  return r.error!.issues;
};

describe('ArchitectureSpec', () => {
  it('defaults to the CIFAR ResNet-20 with option A and symmetric padding; sizes follow the dataset', () => {
    expect(parse({})).toEqual({
      family: 'cifar-resnet',
      depth: 20,
      shortcut: 'A',
      shortcutKernel: 1,
      widthMultiplier: 1,
      padding: 'symmetric',
      skipVersion: 1,
      auxHeads: false,
    });
  });

  it.each(ARCHITECTURE_FAMILIES)('accepts %s at its typical depth and every listed depth', (family) => {
    const info = ARCHITECTURE_CATALOG[family];
    expect(ArchitectureSpec.safeParse({ family, depth: info.typicalDepth }).success).toBe(true);
    for (const depth of info.depths.values) expect(ArchitectureSpec.safeParse({ family, depth }).success).toBe(true);
  });

  it.each([
    ['cifar-resnet', 21, /6n\+2/],
    ['cifar-plain', 2, /6n\+2 between 8/],
    ['resnet', 20, /one of 18, 34, 50, 101, 152/],
    ['plain', 56, /one of 18, 34, 50, 101, 152/],
    ['vgg', 20, /one of 11, 13, 16, 19/],
    ['vgg16-skip', 19, /one of 16/],
    ['lenet5', 20, /one of 5/],
    ['alexnet', 20, /one of 8/],
    ['googlenet', 20, /one of 22/],
  ] as const)('rejects %s of depth %i, naming depth and what is allowed', (family, depth, allowed) => {
    const [issue] = issues({ family, depth });
    expect(issue!.path).toEqual(['depth']);
    expect(issue!.message).toMatch(allowed);
    expect(issue!.message).toContain(family);
  });

  it('rejects inputs too small for the family, naming inputSize and the minimum', () => {
    const [issue] = issues({ family: 'lenet5', depth: 5, inputSize: 12 });
    expect(issue!.path).toEqual(['inputSize']);
    expect(issue!.message).toMatch(/at least 16/);
    expect(ArchitectureSpec.safeParse({ family: 'lenet5', depth: 5, inputSize: 28 }).success).toBe(true);
  });

  it.each([
    [{ shortcutKernel: 2 }, 'shortcutKernel'],
    [{ shortcut: 'D' }, 'shortcut'],
    [{ padding: 'reflect' }, 'padding'],
    [{ widthMultiplier: 0 }, 'widthMultiplier'],
    [{ skipVersion: 3 }, 'skipVersion'],
    [{ numClasses: 1 }, 'numClasses'],
  ])('rejects %j naming the field', (input, field) => {
    expect(issues(input).map((i) => i.path.join('.'))).toContain(field);
  });

  it('rejects unknown fields', () => {
    expect(issues({ depht: 20 })[0]!.message).toMatch(/depht/);
  });

  it('6n+2 depths: the rule, its bounds', () => {
    expect([8, 20, 110, 1202].every((d) => isAllowedDepth('cifar-resnet', d))).toBe(true);
    expect([2, 21, 1208].some((d) => isAllowedDepth('cifar-resnet', d))).toBe(false);
  });
});

describe('normalizeArchitecture', () => {
  it('drops shortcut options of plain nets', () => {
    expect(normalizeArchitecture(parse({ family: 'plain', depth: 34, shortcut: 'B', shortcutKernel: 7 }))).toEqual(
      parse({ family: 'plain', depth: 34 }),
    );
    expect(normalizeArchitecture(parse({ family: 'cifar-plain', shortcut: 'C' }))).toEqual(
      parse({ family: 'cifar-plain' }),
    );
  });

  it('drops the projection kernel under option A only', () => {
    expect(normalizeArchitecture(parse({ shortcut: 'A', shortcutKernel: 7 }))).toEqual(parse({}));
    expect(normalizeArchitecture(parse({ shortcut: 'B', shortcutKernel: 7 })).shortcutKernel).toBe(7);
  });

  it("keeps vgg16-skip's kernel and version but not a shortcut type", () => {
    const n = normalizeArchitecture(
      parse({ family: 'vgg16-skip', depth: 16, shortcut: 'C', shortcutKernel: 5, skipVersion: 2 }),
    );
    expect(n).toMatchObject({ shortcut: 'A', shortcutKernel: 5, skipVersion: 2 });
  });

  it('drops options of other families, keeps sizes, and is idempotent', () => {
    const a = parse({ family: 'resnet', depth: 18, auxHeads: true, skipVersion: 2, inputSize: 32, numClasses: 10 });
    const n = normalizeArchitecture(a);
    expect(n).toMatchObject({ auxHeads: false, skipVersion: 1, inputSize: 32, numClasses: 10 });
    expect(normalizeArchitecture(n)).toEqual(n);
    expect(normalizeArchitecture(parse({ family: 'vgg', depth: 16, padding: 'tf-same' })).padding).toBe('symmetric');
    expect(normalizeArchitecture(parse({ family: 'googlenet', depth: 22, auxHeads: true })).auxHeads).toBe(true);
  });

  it('makes specHash equal for specs describing the same network, and only those', () => {
    const hash = (architecture: ArchitectureSpecInput) => specHash(ExperimentSpec.parse({ architecture }));
    expect(hash({ family: 'plain', depth: 18, shortcut: 'B' })).toBe(hash({ family: 'plain', depth: 18 }));
    expect(hash({ shortcutKernel: 7 })).toBe(hash({}));
    expect(hash({ shortcut: 'B', shortcutKernel: 7 })).not.toBe(hash({ shortcut: 'B' }));
    expect(hash({ padding: 'tf-same' })).not.toBe(hash({}));
  });

  it('spells out batchNorm only for the paper variant of a family that has one', () => {
    expect(normalizeArchitecture(parse({ family: 'vgg', depth: 16, batchNorm: false })).batchNorm).toBe(false);
    expect('batchNorm' in normalizeArchitecture(parse({ family: 'vgg', depth: 16, batchNorm: true }))).toBe(false);
    expect('batchNorm' in normalizeArchitecture(parse({ family: 'cifar-resnet', batchNorm: false }))).toBe(false);
    const hash = (architecture: ArchitectureSpecInput) => specHash(ExperimentSpec.parse({ architecture }));
    // Specs from before the option existed keep their hash, so their results are still reused.
    expect(hash({ family: 'vgg', depth: 11, batchNorm: true })).toBe(hash({ family: 'vgg', depth: 11 }));
    expect(hash({ family: 'vgg', depth: 11, batchNorm: false })).not.toBe(hash({ family: 'vgg', depth: 11 }));
    expect(hash({ family: 'resnet', depth: 18, batchNorm: false })).toBe(hash({ family: 'resnet', depth: 18 }));
  });
});

describe('ARCHITECTURE_CATALOG', () => {
  it('lists allowed option values that the schema accepts', () => {
    const { optionValues } = ARCHITECTURE_CATALOG['cifar-resnet'];
    expect(optionValues.shortcut).toEqual({ values: ['A', 'B', 'C'], default: 'A' });
    for (const [option, { values }] of Object.entries(optionValues)) {
      for (const value of values) expect(ArchitectureSpec.safeParse({ [option]: value }).success).toBe(true);
    }
  });

  it('is plain JSON data covering every family, with defaults that validate', () => {
    expect(JSON.parse(JSON.stringify(ARCHITECTURE_CATALOG))).toEqual(ARCHITECTURE_CATALOG);
    expect(Object.keys(ARCHITECTURE_CATALOG).sort()).toEqual([...ARCHITECTURE_FAMILIES].sort());
    for (const [family, info] of Object.entries(ARCHITECTURE_CATALOG)) {
      expect(info.family).toBe(family);
      expect(info.description.length).toBeGreaterThan(10);
      expect(info.defaultInput.size).toBeGreaterThanOrEqual(info.minInputSize);
      expect(isAllowedDepth(info.family, info.typicalDepth)).toBe(true);
      expect(Object.keys(info.optionValues)).toEqual(info.options);
    }
  });
});
