import type { ArchitectureSpec } from '@resnet-lab/spec';
import { convBn, convRelu } from '../blocks';
import { GraphBuilder, type NetworkGraph, type Ref } from '../graph';
import { resolveInput, scaleWidth, usesSmallStem } from '../resolve-input';

/**
 * AlexNet as one tower with the paper's channel counts (96, 256, 384, 384, 256; tfjs has no
 * grouped conv, so the two-GPU split is merged) and batch norm in place of local response
 * normalisation. The first conv pads 2, so 224 and 227 inputs both give 55x55 and the last pool
 * 6x6, the paper's map sizes. Under 64 px the 11x11/4 conv would leave nothing for the pools:
 * the first conv becomes 3x3 stride 1 and the three 3x3/2 pools pad 'same'.
 */
export function buildAlexnetGraph(arch: ArchitectureSpec): NetworkGraph {
  if (arch.batchNorm === false) return buildPaperAlexnetGraph(arch);
  const input = resolveInput(arch);
  const small = usesSmallStem(arch, input.size);
  const w = (n: number) => scaleWidth(n, arch.widthMultiplier);
  const poolPadding = small ? 'same' : 'valid';
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  if (small) {
    x = convBn(g, x, 'c1', { filters: w(96), kernel: 3, padding: arch.padding });
  } else {
    x = g.zeroPad(x, 'c1_pad', 2);
    x = g.relu(
      g.batchNorm(g.conv(x, 'c1_conv', { filters: w(96), kernel: 11, strides: 4, padding: 'valid' }), 'c1_bn'),
      'c1_relu',
    );
  }
  x = g.pool(x, 'pool1', { type: 'max', size: 3, strides: 2, padding: poolPadding });
  x = convBn(g, x, 'c2', { filters: w(256), kernel: 5, padding: arch.padding });
  x = g.pool(x, 'pool2', { type: 'max', size: 3, strides: 2, padding: poolPadding });
  x = convBn(g, x, 'c3', { filters: w(384), kernel: 3, padding: arch.padding });
  x = convBn(g, x, 'c4', { filters: w(384), kernel: 3, padding: arch.padding });
  x = convBn(g, x, 'c5', { filters: w(256), kernel: 3, padding: arch.padding });
  x = g.pool(x, 'pool5', { type: 'max', size: 3, strides: 2, padding: poolPadding });
  x = g.flatten(x, 'flatten');
  for (const i of [6, 7]) {
    x = g.dropout(x, `fc${i}_dropout`, 0.5);
    x = g.relu(g.dense(x, `fc${i}`, w(4096)), `fc${i}_relu`);
  }
  return g.finish([g.dense(x, 'logits', input.classes)]);
}

/** The two GPUs of the 2012 paper: conv2, conv4 and conv5 each run as two independent halves. */
const GROUPS = 2;

/**
 * AlexNet as Krizhevsky et al. 2012 trained it: conv (with bias) and ReLU, local response
 * normalisation after the first two convs (before their pools), and conv2, conv4 and conv5 in two
 * groups, each seeing only the half of the previous layer's maps on its own GPU (conv3 and the fc
 * layers see both). 60,965,224 parameters with 1000 classes. Same map sizes and small-input stem
 * as the single-tower net.
 */
function buildPaperAlexnetGraph(arch: ArchitectureSpec): NetworkGraph {
  const input = resolveInput(arch);
  const small = usesSmallStem(arch, input.size);
  const w = (n: number) => scaleWidth(n, arch.widthMultiplier);
  // A grouped conv needs its input and output channels split evenly between the groups, so every
  // conv width (each feeds or is a grouped layer) is scaled per group: 0.3 x 96 gives 28, not 29.
  const wConv = (n: number) => GROUPS * scaleWidth(n / GROUPS, arch.widthMultiplier);
  const poolPadding = small ? 'same' : 'valid';
  const pool = (x: Ref, name: string) => g.pool(x, name, { type: 'max', size: 3, strides: 2, padding: poolPadding });
  const g = new GraphBuilder();
  let x = g.input('input', [input.size, input.size, input.channels]);
  if (small) {
    x = convRelu(g, x, 'c1', { filters: wConv(96), kernel: 3 });
  } else {
    x = convRelu(g, g.zeroPad(x, 'c1_pad', 2), 'c1', { filters: wConv(96), kernel: 11, strides: 4, padding: 'valid' });
  }
  x = pool(g.lrn(x, 'c1_lrn'), 'pool1');
  x = pool(g.lrn(convRelu(g, x, 'c2', { filters: wConv(256), kernel: 5, groups: GROUPS }), 'c2_lrn'), 'pool2');
  x = convRelu(g, x, 'c3', { filters: wConv(384), kernel: 3 });
  x = convRelu(g, x, 'c4', { filters: wConv(384), kernel: 3, groups: GROUPS });
  x = pool(convRelu(g, x, 'c5', { filters: wConv(256), kernel: 3, groups: GROUPS }), 'pool5');
  x = g.flatten(x, 'flatten');
  for (const i of [6, 7]) {
    x = g.dropout(x, `fc${i}_dropout`, 0.5);
    x = g.relu(g.dense(x, `fc${i}`, w(4096)), `fc${i}_relu`);
  }
  return g.finish([g.dense(x, 'logits', input.classes)]);
}
