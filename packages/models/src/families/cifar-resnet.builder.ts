import type { ArchitectureSpec } from '@resnet-lab/spec';
import { convBn } from '../blocks';
import { GraphBuilder, type NetworkGraph } from '../graph';
import { basicBlock } from '../residual-blocks';
import { resolveInput, scaleWidth } from '../resolve-input';

/**
 * CIFAR ResNet / plain net of depth 6n+2 (paper section 4.2): 3x3 conv 16, three stages of n
 * basic blocks at 16, 32, 64 filters (stride 2 entering stages 2 and 3), global average pool, fc.
 */
export function buildCifarResnetGraph(arch: ArchitectureSpec): NetworkGraph {
  const input = resolveInput(arch);
  const n = (arch.depth - 2) / 6;
  const residual = arch.family === 'cifar-resnet';
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  x = convBn(g, x, 'stem', { filters: scaleWidth(16, arch.widthMultiplier), kernel: 3, padding: arch.padding });
  [16, 32, 64].forEach((width, stage) => {
    for (let block = 0; block < n; block++) {
      x = basicBlock(g, x, `stage${stage + 1}_block${block + 1}`, {
        filters: scaleWidth(width, arch.widthMultiplier),
        strides: stage > 0 && block === 0 ? 2 : 1,
        shortcut: residual ? { type: arch.shortcut, kernel: arch.shortcutKernel } : undefined,
        padding: arch.padding,
      });
    }
  });
  x = g.globalAvgPool(x, 'avg_pool');
  return g.finish([g.dense(x, 'logits', input.classes)]);
}
