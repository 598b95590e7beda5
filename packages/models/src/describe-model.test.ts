import { ARCHITECTURE_CATALOG, ARCHITECTURE_FAMILIES, ArchitectureSpec } from '@resnet-lab/spec';
import { describe, expect, it } from 'vitest';
import { describeModel } from './index';

describe('describeModel', () => {
  it('describes every family at every input size the schema accepts (up to 256), in both padding modes', () => {
    for (const family of ARCHITECTURE_FAMILIES) {
      const info = ARCHITECTURE_CATALOG[family];
      const depth = info.depths.kind === 'list' ? info.depths.values[0]! : 8;
      for (let inputSize = info.minInputSize; inputSize <= 256; inputSize++) {
        for (const padding of ['symmetric', 'tf-same'] as const) {
          const arch = ArchitectureSpec.parse({ family, depth, inputSize, padding, auxHeads: true, shortcut: 'A' });
          const d = describeModel(arch);
          expect(d.layers.at(-1)!.outputShape).toEqual([ARCHITECTURE_CATALOG[family].defaultInput.classes]);
          expect(d.layers.every((l) => l.outputShape.every((n) => n >= 1))).toBe(true);
        }
      }
    }
  });

  it('uses the family defaults for undefined sizes and the given ones otherwise', () => {
    const first = (family: 'resnet' | 'lenet5', extra = {}) =>
      describeModel(ArchitectureSpec.parse({ family, depth: family === 'resnet' ? 18 : 5, ...extra })).layers[0]!
        .outputShape;
    expect(first('resnet')).toEqual([224, 224, 3]);
    expect(first('lenet5')).toEqual([32, 32, 1]);
    expect(first('resnet', { inputSize: 28, inputChannels: 1 })).toEqual([28, 28, 1]);
  });

  it('never rounds a width to zero, and option A copes with equal rounded widths', () => {
    const d = describeModel(ArchitectureSpec.parse({ family: 'cifar-resnet', depth: 20, widthMultiplier: 0.01 }));
    expect(d.layers.filter((l) => l.type === 'conv').every((l) => l.outputShape[2] === 1)).toBe(true);
    expect(d.layers.some((l) => l.type === 'channelPad')).toBe(false);
  });

  it('counts FLOPs as conv and fc multiply-adds only', () => {
    const d = describeModel(ArchitectureSpec.parse({ family: 'cifar-resnet', depth: 20 }));
    for (const l of d.layers) if (l.type !== 'conv' && l.type !== 'dense') expect(l.flops).toBe(0);
    expect(d.layers.find((l) => l.name === 'logits')!.flops).toBe(64 * 10);
    expect(d.layers.find((l) => l.name === 'stem_conv')!.flops).toBe(32 * 32 * 9 * 3 * 16);
  });
});
