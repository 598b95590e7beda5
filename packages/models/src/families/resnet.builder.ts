import type { ArchitectureSpec } from '@resnet-lab/spec';
import { convBn, paddedMaxPool } from '../blocks';
import { GraphBuilder, type NetworkGraph, ModelBuildError } from '../graph';
import { basicBlock, bottleneckBlock } from '../residual-blocks';
import { resolveInput, scaleWidth, usesSmallStem } from '../resolve-input';

const BLOCKS_PER_STAGE: Record<number, readonly number[]> = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
  152: [3, 8, 36, 3],
};

/**
 * ImageNet-layout ResNet / plain net (paper Table 1). Stem: 7x7/2 conv 64 and 3x3/2 max pool;
 * for inputs under 64 px (CIFAR's 32, MNIST's 28) it is a 3x3 stride-1 conv and no pool, the
 * usual adaptation, so that the last stage still sees a 4x4 map rather than 1x1.
 */
export function buildResnetGraph(arch: ArchitectureSpec): NetworkGraph {
  const input = resolveInput(arch);
  const stages = BLOCKS_PER_STAGE[arch.depth];
  if (!stages) throw new ModelBuildError(`no ${arch.family} of depth ${arch.depth}`);
  const block = arch.depth >= 50 ? bottleneckBlock : basicBlock;
  const residual = arch.family === 'resnet';
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  const stemWidth = scaleWidth(64, arch.widthMultiplier);
  if (usesSmallStem(arch, input.size)) {
    x = convBn(g, x, 'stem', { filters: stemWidth, kernel: 3, padding: arch.padding });
  } else {
    x = convBn(g, x, 'stem', { filters: stemWidth, kernel: 7, strides: 2, padding: arch.padding });
    x = paddedMaxPool(g, x, 'stem_pool', { size: 3, strides: 2, padding: arch.padding });
  }
  stages.forEach((count, stage) => {
    for (let b = 0; b < count; b++) {
      x = block(g, x, `stage${stage + 1}_block${b + 1}`, {
        filters: scaleWidth(64 * 2 ** stage, arch.widthMultiplier),
        strides: stage > 0 && b === 0 ? 2 : 1,
        shortcut: residual ? { type: arch.shortcut, kernel: arch.shortcutKernel } : undefined,
        padding: arch.padding,
      });
    }
  });
  x = g.globalAvgPool(x, 'avg_pool');
  return g.finish([g.dense(x, 'logits', input.classes)]);
}
