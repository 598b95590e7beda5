import type { ArchitectureSpec } from '@resnet-lab/spec';
import { GraphBuilder, type NetworkGraph } from '../graph';
import { resolveInput, scaleWidth } from '../resolve-input';

/**
 * LeNet-5 with the paper's layer shapes (32x32: conv 5x5 6 -> 28, pool -> 14, conv 5x5 16 -> 10,
 * pool -> 5, fc 120, fc 84, fc classes), modernised as the rest of the zoo: batch norm and ReLU
 * after each conv instead of tanh, 2x2 average pooling (the original subsampling, without its
 * trainable coefficients). The convs are unpadded, so 28x28 MNIST gives a 4x4x16 map.
 */
export function buildLenet5Graph(arch: ArchitectureSpec): NetworkGraph {
  const input = resolveInput(arch);
  const w = (n: number) => scaleWidth(n, arch.widthMultiplier);
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  for (const [i, filters] of [6, 16].entries()) {
    const conv = g.conv(x, `c${2 * i + 1}_conv`, { filters: w(filters), kernel: 5, padding: 'valid' });
    x = g.relu(g.batchNorm(conv, `c${2 * i + 1}_bn`), `c${2 * i + 1}_relu`);
    x = g.pool(x, `s${2 * i + 2}_pool`, { type: 'avg', size: 2, strides: 2, padding: 'valid' });
  }
  x = g.flatten(x, 'flatten');
  x = g.relu(g.dense(x, 'f5', w(120)), 'f5_relu');
  x = g.relu(g.dense(x, 'f6', w(84)), 'f6_relu');
  return g.finish([g.dense(x, 'logits', input.classes)]);
}
