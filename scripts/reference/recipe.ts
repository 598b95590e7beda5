// The reference recipe of docs/training-parity.md as a resnet-lab spec, shared by the scripts that
// run it (resnet-lab-run.ts) and that hand its starting state to PyTorch (export-state.ts).
import { ExperimentSpec } from '@resnet-lab/spec';

export const RECIPE_OPTIONS = {
  family: { type: 'string', default: 'cifar-resnet' },
  depth: { type: 'string', default: '20' },
  seed: { type: 'string', default: '0' },
  epochs: { type: 'string', default: '12' },
  milestones: { type: 'string', default: '6,9' },
  subset: { type: 'string', default: '10000' },
  validation: { type: 'string', default: '2000' },
  'input-size': { type: 'string', default: '28' },
  lr: { type: 'string', default: '0.1' },
  'weight-decay': { type: 'string', default: '1e-4' },
  // Which images are held out and which 10,000 are trained on (dataset.splitSeed), apart from the seed.
  'split-seed': { type: 'string', default: '0' },
} as const;

type RecipeValues = { [K in keyof typeof RECIPE_OPTIONS]: string };

export function referenceSpec(values: RecipeValues, extraTraining: Record<string, unknown> = {}): ExperimentSpec {
  return ExperimentSpec.parse({
    architecture: {
      family: values.family,
      depth: Number(values.depth),
      inputSize: Number(values['input-size']),
      ...(values.family === 'cifar-resnet' ? { shortcut: 'A' } : {}),
    },
    dataset: {
      name: 'fashion-mnist',
      subset: Number(values.subset),
      validationSplit: Number(values.validation),
      splitSeed: Number(values['split-seed']),
    },
    training: {
      epochs: Number(values.epochs),
      batchSize: 128,
      learningRate: Number(values.lr),
      momentum: 0.9,
      weightDecay: Number(values['weight-decay']),
      seed: Number(values.seed),
      schedule: { type: 'step', milestones: values.milestones.split(',').map(Number), gamma: 0.1 },
      evaluateTest: 'never',
      checkpointEvery: 1_000,
      ...extraTraining,
    },
  });
}
