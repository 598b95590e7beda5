import { ArchitectureSpec } from '@resnet-lab/spec';
import { describe, expect, it } from 'vitest';
import { describeModel } from './describe-model';
import { trainingMemory } from './training-memory';

describe('trainingMemory', () => {
  const resnet20 = ArchitectureSpec.parse({ family: 'cifar-resnet', depth: 20, shortcut: 'A' });

  it('counts weights, gradient and momentum per trainable weight, and activations per image', () => {
    const d = describeModel(resnet20);
    const one = trainingMemory(resnet20, 1);
    const many = trainingMemory(resnet20, 128);
    expect(one.weightsBytes).toBe(4 * d.params);
    expect(one.optimizerBytes).toBe(8 * d.trainableParams);
    // Activations grow with the batch, weights do not.
    expect(many.activationsBytes).toBe(128 * one.activationsBytes);
    expect(many.weightsBytes).toBe(one.weightsBytes);
    expect(many.totalBytes).toBe(many.weightsBytes + many.optimizerBytes + many.activationsBytes);
    // ResNet-20 on 32x32 keeps a few hundred thousand values per image (the first stage alone
    // has ~10 maps of 16x32x32): between 0.5 and 5 MB per image.
    expect(one.activationsBytes).toBeGreaterThan(500_000);
    expect(one.activationsBytes).toBeLessThan(5_000_000);
  });

  it('puts a batch of 4096 ImageNet images through ResNet-50 far beyond any worker', () => {
    const resnet50 = ArchitectureSpec.parse({ family: 'resnet', depth: 50 });
    expect(trainingMemory(resnet50, 4096).totalBytes).toBeGreaterThan(100 * 2 ** 30);
  });
});
