import type { ArchitectureSpec } from '@resnet-lab/spec';
import { convBn, convRelu, paddedMaxPool } from '../blocks';
import { GraphBuilder, type NetworkGraph, type Ref } from '../graph';
import { resolveInput, scaleWidth, usesSmallStem } from '../resolve-input';

/** #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj: the paper's Table 1. */
type InceptionWidths = readonly [number, number, number, number, number, number];
const INCEPTION: Record<string, InceptionWidths> = {
  '3a': [64, 96, 128, 16, 32, 32],
  '3b': [128, 128, 192, 32, 96, 64],
  '4a': [192, 96, 208, 16, 48, 64],
  '4b': [160, 112, 224, 24, 64, 64],
  '4c': [128, 128, 256, 24, 64, 64],
  '4d': [112, 144, 288, 32, 64, 64],
  '4e': [256, 160, 320, 32, 128, 128],
  '5a': [256, 160, 320, 32, 128, 128],
  '5b': [384, 192, 384, 48, 128, 128],
};

function inception(g: GraphBuilder, x: Ref, id: string, arch: ArchitectureSpec): Ref {
  const [c1, r3, c3, r5, c5, pp] = INCEPTION[id]!.map((n) => scaleWidth(n, arch.widthMultiplier));
  const p = `inception${id}`;
  const unit = (input: Ref, name: string, filters: number, kernel: number) =>
    arch.batchNorm === false
      ? convRelu(g, input, `${p}_${name}`, { filters, kernel })
      : g.relu(g.batchNorm(g.conv(input, `${p}_${name}`, { filters, kernel }), `${p}_${name}_bn`), `${p}_${name}_relu`);
  const b1 = unit(x, '1x1', c1!, 1);
  const b3 = unit(unit(x, '3x3_reduce', r3!, 1), '3x3', c3!, 3);
  const b5 = unit(unit(x, '5x5_reduce', r5!, 1), '5x5', c5!, 5);
  const bp = unit(g.pool(x, `${p}_pool`, { type: 'max', size: 3, strides: 1, padding: 'same' }), 'pool_proj', pp!, 1);
  return g.concat([b1, b3, b5, bp], `${p}_concat`);
}

/** A stem conv: conv + batch norm + ReLU, or the paper's conv (with bias) + ReLU. */
function stemUnit(
  g: GraphBuilder,
  x: Ref,
  prefix: string,
  arch: ArchitectureSpec,
  o: { filters: number; kernel: number; strides?: number },
): Ref {
  if (arch.batchNorm !== false) return convBn(g, x, prefix, { ...o, padding: arch.padding });
  if ((o.strides ?? 1) > 1 && arch.padding === 'symmetric') {
    // The paper pads 3 on every side of the 7x7/2 conv (224 -> 112), as the batch-norm stem does.
    const padded = g.zeroPad(x, `${prefix}_pad`, (o.kernel - 1) / 2);
    return convRelu(g, padded, prefix, { ...o, padding: 'valid' });
  }
  return convRelu(g, x, prefix, o);
}

/**
 * The paper's auxiliary classifier: 5x5/3 average pool (14x14 -> 4x4 at 224), 1x1 conv 128,
 * fc 1024, dropout 0.7, fc classes. Maps smaller than 5x5 (small inputs) skip the pool.
 */
function auxHead(g: GraphBuilder, x: Ref, id: string, arch: ArchitectureSpec, classes: number): Ref {
  const p = `aux${id}`;
  let y = x.shape[0]! >= 5 ? g.pool(x, `${p}_pool`, { type: 'avg', size: 5, strides: 3, padding: 'valid' }) : x;
  const filters = scaleWidth(128, arch.widthMultiplier);
  y =
    arch.batchNorm === false
      ? convRelu(g, y, p, { filters, kernel: 1 })
      : g.relu(g.batchNorm(g.conv(y, `${p}_conv`, { filters, kernel: 1 }), `${p}_bn`), `${p}_relu`);
  y = g.relu(g.dense(g.flatten(y, `${p}_flatten`), `${p}_fc`, scaleWidth(1024, arch.widthMultiplier)), `${p}_fc_relu`);
  return g.dense(g.dropout(y, `${p}_dropout`, 0.7), `${p}_logits`, classes);
}

/**
 * GoogLeNet (Inception v1, Szegedy et al. 2014) with batch norm after every conv (no LRN) and
 * true 5x5 branches; with `batchNorm: false` the paper's net: conv (with bias) and ReLU, and local
 * response normalisation after the first pool and after the third conv (before its pool). Stem
 * at 224: 7x7/2 conv 64, 3x3/2 max pool, 1x1 conv 64, 3x3 conv 192, 3x3/2 max pool; under 64 px
 * the same convs with the first one 3x3 stride 1 and both pools dropped. Strided pools follow the
 * padding mode. With `auxHeads`, outputs are [main, aux after 4a, aux after 4d].
 */
export function buildGooglenetGraph(arch: ArchitectureSpec): NetworkGraph {
  const input = resolveInput(arch);
  const small = usesSmallStem(arch, input.size);
  const w = (n: number) => scaleWidth(n, arch.widthMultiplier);
  const pool = (x: Ref, name: string) => paddedMaxPool(g, x, name, { size: 3, strides: 2, padding: arch.padding });
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  x = stemUnit(g, x, 'stem1', arch, { filters: w(64), kernel: small ? 3 : 7, strides: small ? 1 : 2 });
  if (!small) x = pool(x, 'stem1_pool');
  if (arch.batchNorm === false) x = g.lrn(x, 'stem1_lrn');
  x = stemUnit(g, x, 'stem2', arch, { filters: w(64), kernel: 1 });
  x = stemUnit(g, x, 'stem3', arch, { filters: w(192), kernel: 3 });
  if (arch.batchNorm === false) x = g.lrn(x, 'stem3_lrn');
  if (!small) x = pool(x, 'stem3_pool');
  const aux: Ref[] = [];
  for (const id of ['3a', '3b', 'pool3', '4a', '4b', '4c', '4d', '4e', 'pool4', '5a', '5b']) {
    if (id.startsWith('pool')) {
      x = pool(x, id);
      continue;
    }
    x = inception(g, x, id, arch);
    if (arch.auxHeads && (id === '4a' || id === '4d')) aux.push(auxHead(g, x, id, arch, input.classes));
  }
  x = g.dropout(g.globalAvgPool(x, 'avg_pool'), 'dropout', 0.4);
  return g.finish([g.dense(x, 'logits', input.classes), ...aux]);
}
