import type { ArchitectureSpec } from '@resnet-lab/spec';
import { GraphBuilder, type NetworkGraph } from '../graph';
import { resolveInput, scaleWidth } from '../resolve-input';

/**
 * LeNet-5 with the paper's layer shapes (32x32: conv 5x5 6 -> 28, pool -> 14, conv 5x5 16 -> 10,
 * pool -> 5, fc 120, fc 84, fc classes), modernised as the rest of the zoo: batch norm and ReLU
 * after each conv instead of tanh, 2x2 average pooling (the original subsampling, without its
 * trainable coefficients). The convs are unpadded, so 28x28 MNIST gives a 4x4x16 map.
 * `batchNorm: false` is LeCun et al. 1998 as far as stock layers go: conv (with bias) and tanh, tanh
 * after f5 and f6, no batch norm. It keeps two simplifications: C3 sees all six S2 maps (the paper
 * wires each of its 16 maps to a subset: 1,516 weights where this has 2,416) and the output is a
 * plain fc layer instead of the paper's RBF units; 61,706 parameters at 32x32 where the paper
 * counts about 60,000.
 */
export function buildLenet5Graph(arch: ArchitectureSpec): NetworkGraph {
  const input = resolveInput(arch);
  const w = (n: number) => scaleWidth(n, arch.widthMultiplier);
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  const paper = arch.batchNorm === false;
  for (const [i, filters] of [6, 16].entries()) {
    const c = `c${2 * i + 1}`;
    const conv = g.conv(x, `${c}_conv`, { filters: w(filters), kernel: 5, padding: 'valid', useBias: paper });
    x = paper ? g.tanh(conv, `${c}_tanh`) : g.relu(g.batchNorm(conv, `${c}_bn`), `${c}_relu`);
    x = g.pool(x, `s${2 * i + 2}_pool`, { type: 'avg', size: 2, strides: 2, padding: 'valid' });
  }
  x = g.flatten(x, 'flatten');
  for (const [name, units] of [
    ['f5', 120],
    ['f6', 84],
  ] as const) {
    const fc = g.dense(x, name, w(units));
    x = paper ? g.tanh(fc, `${name}_tanh`) : g.relu(fc, `${name}_relu`);
  }
  return g.finish([g.dense(x, 'logits', input.classes)]);
}
