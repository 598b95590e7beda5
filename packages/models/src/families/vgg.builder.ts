import type { ArchitectureSpec } from '@resnet-lab/spec';
import { convBn, convRelu } from '../blocks';
import { GraphBuilder, type NetworkGraph, type Ref, ModelBuildError } from '../graph';
import { resolveInput, scaleWidth } from '../resolve-input';

/** Convs per block of VGG configurations A (11), B (13), D (16) and E (19). */
export const VGG_CONVS_PER_BLOCK: Record<number, readonly number[]> = {
  11: [1, 1, 2, 2, 2],
  13: [2, 2, 2, 2, 2],
  16: [2, 2, 3, 3, 3],
  19: [2, 2, 4, 4, 4],
};
export const VGG_BLOCK_WIDTHS = [64, 128, 256, 512, 512] as const;

/** fc 4096 -> ReLU -> dropout 0.5, twice, then the class logits (Simonyan & Zisserman). */
export function vggClassifier(g: GraphBuilder, x: Ref, arch: ArchitectureSpec, classes: number): Ref {
  let y = g.flatten(x, 'flatten');
  for (const i of [1, 2]) {
    y = g.dense(y, `fc${i}`, scaleWidth(4096, arch.widthMultiplier));
    y = g.relu(y, `fc${i}_relu`);
    y = g.dropout(y, `fc${i}_dropout`, 0.5);
  }
  return g.dense(y, 'logits', classes);
}

/**
 * VGG with batch norm after every 3x3 conv (so the convs carry no bias); with `batchNorm: false`
 * the paper's net, conv (with bias) and ReLU. The 2x2/2 pools use 'same' padding: identical at 224
 * (every map even), and it lets 28x28 inputs through five pools (28-14-7-4-2-1) where 'valid'
 * would reach zero.
 */
export function buildVggGraph(arch: ArchitectureSpec): NetworkGraph {
  const input = resolveInput(arch);
  const convs = VGG_CONVS_PER_BLOCK[arch.depth];
  if (!convs) throw new ModelBuildError(`no vgg of depth ${arch.depth}`);
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  convs.forEach((count, block) => {
    const filters = scaleWidth(VGG_BLOCK_WIDTHS[block]!, arch.widthMultiplier);
    for (let i = 0; i < count; i++) {
      const unit = { filters, kernel: 3, suffix: String(i + 1) };
      x =
        arch.batchNorm === false
          ? convRelu(g, x, `block${block + 1}`, unit)
          : convBn(g, x, `block${block + 1}`, { ...unit, padding: arch.padding });
    }
    x = g.pool(x, `block${block + 1}_pool`, { type: 'max', size: 2, strides: 2, padding: 'same' });
  });
  return g.finish([vggClassifier(g, x, arch, input.classes)]);
}
