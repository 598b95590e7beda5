import type { ArchitectureSpec } from '@resnet-lab/spec';
import { convBn, paddedConv } from '../blocks';
import { GraphBuilder, type NetworkGraph } from '../graph';
import { resolveInput, scaleWidth } from '../resolve-input';
import { VGG_BLOCK_WIDTHS, VGG_CONVS_PER_BLOCK, vggClassifier } from './vgg.builder';

/**
 * VGG-16 with one skip per block, M(x) = F(x) + H(x), H a k x k conv + batch norm
 * (k = shortcutKernel), ReLU after the sum as in a residual block; F's last conv has its batch
 * norm but no ReLU of its own.
 * - v1: F = the block's convs then its 2x2/2 max pool; H has stride 2 so that it lands on the
 *   pooled map; VGG's fc classifier.
 * - v2: no pooling anywhere; H (stride 1) only matches channels; global average pool and one fc.
 */
export function buildVgg16SkipGraph(arch: ArchitectureSpec): NetworkGraph {
  const input = resolveInput(arch);
  const pooled = arch.skipVersion === 1;
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  VGG_CONVS_PER_BLOCK[16]!.forEach((count, block) => {
    const prefix = `block${block + 1}`;
    const filters = scaleWidth(VGG_BLOCK_WIDTHS[block]!, arch.widthMultiplier);
    let f = x;
    for (let i = 0; i < count; i++) {
      const last = i === count - 1;
      f = convBn(g, f, prefix, { filters, kernel: 3, padding: arch.padding, suffix: String(i + 1), relu: !last });
    }
    if (pooled) f = g.pool(f, `${prefix}_pool`, { type: 'max', size: 2, strides: 2, padding: 'same' });
    const h = g.batchNorm(
      paddedConv(g, x, `${prefix}_skip_conv`, {
        filters,
        kernel: arch.shortcutKernel,
        strides: pooled ? 2 : 1,
        padding: arch.padding,
      }),
      `${prefix}_skip_bn`,
    );
    x = g.relu(g.add([f, h], `${prefix}_add`), `${prefix}_out`);
  });
  if (pooled) return g.finish([vggClassifier(g, x, arch, input.classes)]);
  return g.finish([g.dense(g.globalAvgPool(x, 'avg_pool'), 'logits', input.classes)]);
}
