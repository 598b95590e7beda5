import { describe, expect, it } from 'vitest';
import { ExperimentSpec, canonicalJson, specHash } from './index';

describe('ExperimentSpec', () => {
  it('fills every default from an empty body', () => {
    const spec = ExperimentSpec.parse({});
    expect(spec.architecture).toMatchObject({ family: 'cifar-resnet', depth: 20, shortcut: 'A' });
    expect(spec.training).toEqual({
      epochs: 3,
      batchSize: 128,
      learningRate: 0.1,
      momentum: 0.9,
      weightDecay: 1e-4,
      seed: 0,
    });
    expect(spec.dataset.name).toBe('synthetic');
  });

  it('names the field at fault', () => {
    const result = ExperimentSpec.safeParse({ training: { learningRate: -1 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['training', 'learningRate']);
  });

  it('rejects unknown fields rather than ignoring a typo', () => {
    const result = ExperimentSpec.safeParse({ training: { epoch: 3 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['training']);
    expect(result.error!.issues[0]!.message).toMatch(/epoch/);
  });

  it('rejects a CIFAR depth that is not 6n+2, naming depth', () => {
    const result = ExperimentSpec.safeParse({ architecture: { family: 'cifar-resnet', depth: 21 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues.some((i) => i.path.join('.') === 'architecture.depth')).toBe(true);
  });
});

describe('specHash', () => {
  it('is the same whether defaults are spelled out or not, and ignores the display name', () => {
    const a = ExperimentSpec.parse({});
    const b = ExperimentSpec.parse({ name: 'x', training: { seed: 0, batchSize: 128 } });
    expect(specHash(a)).toBe(specHash(b));
    expect(specHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with the seed', () => {
    expect(specHash(ExperimentSpec.parse({ training: { seed: 1 } }))).not.toBe(
      specHash(ExperimentSpec.parse({ training: { seed: 2 } })),
    );
  });

  it('is pinned: the canonical form of the default spec does not drift silently', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });
});

describe('architecture depth default', () => {
  it("takes the family's usual depth when depth is left out", () => {
    expect(ExperimentSpec.parse({ architecture: { family: 'lenet5' } }).architecture.depth).toBe(5);
    expect(ExperimentSpec.parse({ architecture: { family: 'resnet' } }).architecture.depth).toBe(50);
    expect(ExperimentSpec.parse({ architecture: { family: 'plain' } }).architecture.depth).toBe(34);
    expect(ExperimentSpec.parse({ architecture: { family: 'vgg' } }).architecture.depth).toBe(16);
    expect(ExperimentSpec.parse({}).architecture.depth).toBe(20);
  });

  it('still rejects a depth the family does not have, naming the field', () => {
    const result = ExperimentSpec.safeParse({ architecture: { family: 'lenet5', depth: 7 } });
    expect(result.error!.issues[0]!.path).toEqual(['architecture', 'depth']);
  });
});

describe('specHash identity', () => {
  it('treats spelled-out training defaults and bookkeeping fields as the same experiment', () => {
    const plain = specHash(ExperimentSpec.parse({}));
    const spelled = specHash(
      ExperimentSpec.parse({
        training: {
          schedule: { type: 'constant' },
          warmup: { type: 'none' },
          logEverySteps: 7,
          keepLastCheckpoints: 9,
          checkpointEvery: 2,
        },
      }),
    );
    expect(spelled).toBe(plain);
    expect(specHash(ExperimentSpec.parse({ training: { schedule: { type: 'cosine' } } }))).not.toBe(plain);
  });
});

describe('network and data must fit', () => {
  it('rejects a class count the dataset does not have, naming architecture.numClasses', () => {
    const result = ExperimentSpec.safeParse({
      architecture: { numClasses: 10 },
      dataset: { name: 'synthetic', classes: 4 },
    });
    expect(result.error!.issues[0]!.path).toEqual(['architecture', 'numClasses']);
  });

  it('accepts grey <-> colour but not 3 -> 4 channels', () => {
    expect(ExperimentSpec.safeParse({ architecture: { inputChannels: 3 }, dataset: { name: 'mnist' } }).success).toBe(
      true,
    );
    const result = ExperimentSpec.safeParse({
      architecture: { inputChannels: 4 },
      dataset: { name: 'synthetic', channels: 3 },
    });
    expect(result.error!.issues[0]!.path).toEqual(['architecture', 'inputChannels']);
  });
});

describe('evaluation plan', () => {
  it("rejects evaluateTest 'never' when no validation split is held out", () => {
    const result = ExperimentSpec.safeParse({
      dataset: { name: 'synthetic', validationSplit: 0 },
      training: { evaluateTest: 'never' },
    });
    expect(result.error!.issues[0]!.path).toEqual(['training', 'evaluateTest']);
    expect(
      ExperimentSpec.safeParse({
        dataset: { name: 'synthetic', validationSplit: 0 },
        training: { evaluateTest: 'every-epoch' },
      }).success,
    ).toBe(true);
  });
});
