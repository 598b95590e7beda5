import { z } from 'zod';
import type { GridDefinitionInput } from './grid';

/**
 * Grids for the sources' experiments. `scale` shrinks one recipe from the paper's size (1) to a
 * run of minutes on a CPU (0.01): it multiplies the width, the number of epochs and the training
 * subset, and below 0.5 keeps one seed instead of three. Depths are never scaled: depth is what
 * the experiments are about. Every preset trains on Fashion-MNIST by default (offline, Debian's
 * `dataset-fashion-mnist`; harder than MNIST, so depth matters); give `base.dataset` to use
 * another set, e.g. `{ "name": "cifar10", "dir": "/data/cifar-10-batches-bin" }` (its directory
 * must lie under DATASET_ROOTS, here e.g. `/usr/share/datasets:/data`).
 */
export const PRESET_NAMES = [
  'resnet-paper/degradation',
  'resnet-paper/shortcuts',
  'cifar/depth',
  'shortcut-kernel',
  'vgg-paper/init-from-a',
  'vgg-paper/scale-jitter',
  'transfer',
] as const;
export const PresetName = z.enum(PRESET_NAMES);
export type PresetName = z.infer<typeof PresetName>;

export const PresetScale = z.number().gt(0).max(1);

/** The paper's CIFAR schedule: 64k iterations with the rate divided by 10 at 32k and 48k (about 164 epochs). */
const FULL_EPOCHS = 164;
const FASHION_MNIST_TRAIN = 55_000;

export interface PresetInfo {
  name: PresetName;
  description: string;
  source: string;
}

export const PRESET_CATALOG: Readonly<Record<PresetName, PresetInfo>> = {
  'resnet-paper/degradation': {
    name: 'resnet-paper/degradation',
    description: 'Plain vs residual (option A) networks of ImageNet layout at depth 18 and 34.',
    source:
      'He et al. 2015, Table 2 and Figure 4: plain-34 trains worse than plain-18, ResNet-34 better than ResNet-18.',
  },
  'resnet-paper/shortcuts': {
    name: 'resnet-paper/shortcuts',
    description:
      'ResNet-34 with shortcut options A (zero-padding identity), ' +
      'B (projection where shapes change) and C (projection everywhere).',
    source: 'He et al. 2015, Table 3: B is slightly better than A, C marginally better than B.',
  },
  'cifar/depth': {
    name: 'cifar/depth',
    description: 'CIFAR-style plain and residual networks at depth 20, 32, 44, 56 and 110.',
    source: 'He et al. 2015, section 4.2 and Figure 6.',
  },
  'shortcut-kernel': {
    name: 'shortcut-kernel',
    description:
      'Kernel size k = 1/3/5/7 of the projection shortcut H(x): ' +
      'VGG16-skip on MNIST and a CIFAR ResNet-20 with option B.',
    source: 'A 1x1 stride-2 projection works; a 7x7 one hurts accuracy.',
  },
  'vgg-paper/init-from-a': {
    name: 'vgg-paper/init-from-a',
    description:
      'VGG-11 (net A) without batch norm trained first; VGG-13, 16 and 19 then start from its first four ' +
      'convolutions and its fully connected layers (as the paper), beside the same nets from scratch.',
    source:
      'Simonyan and Zisserman 2014, section 3.1: deep nets without batch norm stall from a random start, ' +
      "so B-E were initialised from the trained A's layers.",
  },
  'vgg-paper/scale-jitter': {
    name: 'vgg-paper/scale-jitter',
    description:
      'VGG-11 without batch norm trained on crops of images rescaled to a fixed S or to S drawn per image ' +
      '(scale jittering), each scored by centre crop, 10-crop, dense and multi-scale evaluation.',
    source:
      'Simonyan and Zisserman 2014, sections 3.1-3.2 and Tables 3-5: S in [256, 512] beats a fixed S, ' +
      'and multi-scale and dense evaluation beat a single scale.',
  },
  transfer: {
    name: 'transfer',
    description:
      'LeNet-5 trained on MNIST digits 0-4; its head alone fine-tuned on digits 5-9 (the rest frozen), ' +
      'beside the same net trained on 5-9 from scratch.',
    source: 'Transfer learning as the course material teaches it: reuse a trained network, retrain the head.',
  },
};

/** The grid a preset stands for at `scale`. */
export function presetGrid(name: PresetName, scale: number): GridDefinitionInput {
  // Below a few epochs, a quarter width and a couple of thousand images the networks stay at chance
  // and the comparison says nothing; those floors still run in minutes on a 2-core CPU.
  const epochs = Math.max(3, Math.round(FULL_EPOCHS * scale));
  const seeds = scale >= 0.5 ? [0, 1, 2] : [0];
  // Width shrinks with the square root of the scale (compute goes with its square), rounded to
  // sixteenths so nearby scales share networks (and reuse results).
  const widthMultiplier = scale >= 1 ? 1 : Math.max(4, Math.round(Math.sqrt(scale) * 16)) / 16;
  const subset = scale >= 1 ? undefined : Math.max(2_000, Math.round(FASHION_MNIST_TRAIN * scale));
  const dataset = { name: 'fashion-mnist', ...(subset ? { subset } : {}) };
  const training = {
    epochs,
    batchSize: 128,
    learningRate: 0.1,
    momentum: 0.9,
    weightDecay: 1e-4,
    schedule: { type: 'step', milestones: milestones(epochs), unit: 'epoch', gamma: 0.1 },
  };
  // The VGG paper's recipe: SGD at 0.01 (no batch norm: 0.1 diverges), weight decay 5e-4, 74 epochs.
  const vggEpochs = Math.max(3, Math.round(74 * scale));
  const vggTraining = {
    ...training,
    epochs: vggEpochs,
    learningRate: 0.01,
    weightDecay: 5e-4,
    schedule: { type: 'step', milestones: milestones(vggEpochs), unit: 'epoch', gamma: 0.1 },
  };
  const base = (architecture: Record<string, unknown>, data: Record<string, unknown> = dataset) => ({
    architecture: { widthMultiplier, ...architecture },
    dataset: data,
    training,
  });

  switch (name) {
    case 'resnet-paper/degradation':
      return {
        base: base({ shortcut: 'A' }),
        axes: { 'architecture.family': ['plain', 'resnet'], 'architecture.depth': [18, 34], 'training.seed': seeds },
      };
    case 'resnet-paper/shortcuts':
      return {
        base: base({ family: 'resnet', depth: 34 }),
        axes: { 'architecture.shortcut': ['A', 'B', 'C'], 'training.seed': seeds },
      };
    case 'cifar/depth':
      return {
        base: base({ shortcut: 'A' }),
        axes: {
          'architecture.family': ['cifar-plain', 'cifar-resnet'],
          'architecture.depth': [20, 32, 44, 56, 110],
          'training.seed': seeds,
        },
      };
    case 'shortcut-kernel':
      return {
        base: base({ shortcut: 'B', depth: 20 }),
        // The VGG16-skip study ran on MNIST; the ResNet side uses the preset's dataset.
        zip: [
          {
            'architecture.family': ['vgg16-skip', 'cifar-resnet'],
            'architecture.depth': [16, 20],
            dataset: [{ name: 'mnist', ...(subset ? { subset } : {}) }, dataset],
          },
        ],
        axes: { 'architecture.shortcutKernel': [1, 3, 5, 7], 'training.seed': seeds },
      };
    case 'vgg-paper/init-from-a': {
      // What the paper loaded from net A: its first four convolutions and its fully connected layers
      // (the zoo's names for them); the deeper net's other convolutions start from He initialisation.
      const fromA = {
        from: { point: { 'architecture.depth': 11 }, epoch: 'last' },
        load: ['block1_conv1', 'block2_conv1', 'block3_conv1', 'block3_conv2', 'fc1', 'fc2', 'logits'],
      };
      return {
        base: {
          architecture: { family: 'vgg', batchNorm: false, widthMultiplier },
          dataset,
          training: vggTraining,
        },
        // A from scratch; B, D, E from A and from scratch.
        zip: [
          {
            'architecture.depth': [11, 13, 16, 19, 13, 16, 19],
            init: [null, fromA, fromA, fromA, null, null, null],
          },
        ],
        axes: { 'training.seed': seeds },
      };
    }
    case 'vgg-paper/scale-jitter': {
      // The paper's S (the shorter side before the 224 crop) as a multiple of the crop, at the
      // 28-pixel crop of Fashion-MNIST: S = 256 becomes 32 and [256, 512] becomes [32, 64].
      const S = (pixels: number) => Math.round((pixels / 224) * 28);
      return {
        base: {
          architecture: { family: 'vgg', depth: 11, batchNorm: false, widthMultiplier },
          dataset,
          training: { ...vggTraining, testProtocols: ['center', '10-crop', 'dense', 'multi-scale'] },
        },
        // Test sizes Q as in the paper's Table 4: dense at S (fixed) or the middle of [Smin, Smax];
        // multi-scale at {S - 32, S, S + 32} for a fixed S, {Smin, middle, Smax} for a jittered one.
        zip: [
          {
            'dataset.scaleAugment': [
              { min: S(256), max: S(256) },
              { min: S(256), max: S(512) },
            ],
            'training.denseScale': [S(256), S(384)],
            'training.testScales': [
              [S(224), S(256), S(288)],
              [S(256), S(384), S(512)],
            ],
          },
        ],
        axes: { 'training.seed': seeds },
      };
    }
    case 'transfer': {
      const mnist = (labels: number[]) => ({
        name: 'mnist',
        labels,
        validationSplit: 500,
        ...(scale >= 1 ? {} : { subset: Math.max(2_000, Math.round(29_000 * scale)) }),
      });
      const source = { 'dataset.labels': [0, 1, 2, 3, 4], 'training.epochs': 2 };
      const headOnly = { from: { point: source, epoch: 'last' }, freeze: 'all-but-head', resetHead: true };
      return {
        base: {
          architecture: { family: 'lenet5' },
          dataset: mnist([0, 1, 2, 3, 4]),
          training: { batchSize: 32, learningRate: 0.05, schedule: { type: 'cosine' }, evaluateTest: 'final' },
        },
        // The source (2 epochs on 0-4), its head fine-tuned on 5-9, and 5-9 from scratch (1 epoch each).
        zip: [
          {
            'dataset.labels': [
              [0, 1, 2, 3, 4],
              [5, 6, 7, 8, 9],
              [5, 6, 7, 8, 9],
            ],
            'training.epochs': [2, 1, 1],
            init: [null, headOnly, null],
          },
        ],
        axes: { 'training.seed': seeds },
      };
    }
  }
}

/** Rate divided by 10 at 50% and 75% of training (32k and 48k of 64k iterations in the paper). */
function milestones(epochs: number): number[] {
  const first = Math.max(1, Math.round(epochs * 0.5));
  const second = Math.max(first + 1, Math.round(epochs * 0.75));
  return second < epochs ? [first, second] : first < epochs ? [first] : [epochs + 1];
}
