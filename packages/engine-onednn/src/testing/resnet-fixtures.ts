// Test support: ResNet-20 from the model zoo, its weights as plain arrays, and a deterministic
// CIFAR-shaped batch, so both backends start from identical state.
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '@resnet-lab/models';
import { batchNormalization } from '../native-batch-normalization';
import { ArchitectureSpec } from '@resnet-lab/spec';
import { random } from './backend-parity';

export type ResnetSpec = { depth: number; inputSize: number; classes: number };

export function buildResnet({ depth, inputSize, classes }: ResnetSpec): tf.LayersModel {
  return buildModel(
    ArchitectureSpec.parse({
      family: 'cifar-resnet',
      depth,
      shortcut: 'A',
      shortcutKernel: 1,
      widthMultiplier: 1,
      inputSize,
      inputChannels: 3,
      numClasses: classes,
    }),
    // The engine's own batch-norm layer, as the trainer builds it on `onednn`.
    { seed: 7, batchNormLayer: batchNormalization },
  );
}

export function batch(n: number, size: number, classes: number): { x: Float32Array; y: Float32Array } {
  const x = random([n, size, size, 3]).values;
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) y[i * classes + (i % classes)] = 1;
  return { x, y };
}
