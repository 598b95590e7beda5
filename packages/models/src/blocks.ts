import type { PaddingMode, ShortcutType } from '@resnet-lab/spec';
import { ModelBuildError, type GraphBuilder, type Ref } from './graph';

/**
 * A convolution whose stride-2 padding follows the spec's padding mode. `symmetric` pads
 * (k-1)/2 on every side and convolves 'valid' (Caffe/PyTorch); `tf-same` lets TensorFlow pad
 * bottom/right. At stride 1, or with a 1x1 kernel, both are the same and use 'same'.
 */
export function paddedConv(
  g: GraphBuilder,
  x: Ref,
  name: string,
  o: { filters: number; kernel: number; strides?: number; padding: PaddingMode },
): Ref {
  const strides = o.strides ?? 1;
  if (strides > 1 && o.kernel > 1 && o.padding === 'symmetric') {
    const padded = g.zeroPad(x, `${name}_pad`, (o.kernel - 1) / 2);
    return g.conv(padded, name, { filters: o.filters, kernel: o.kernel, strides, padding: 'valid' });
  }
  return g.conv(x, name, { filters: o.filters, kernel: o.kernel, strides, padding: 'same' });
}

/**
 * A strided max pool under the spec's padding mode. The symmetric form zero-pads, which equals
 * PyTorch's -inf padding only because every such pool here follows a ReLU (inputs >= 0).
 */
export function paddedMaxPool(
  g: GraphBuilder,
  x: Ref,
  name: string,
  o: { size: number; strides: number; padding: PaddingMode },
): Ref {
  if (o.padding === 'symmetric' && o.size > 1) {
    const padded = g.zeroPad(x, `${name}_pad`, (o.size - 1) / 2);
    return g.pool(padded, name, { type: 'max', size: o.size, strides: o.strides, padding: 'valid' });
  }
  return g.pool(x, name, { type: 'max', size: o.size, strides: o.strides, padding: 'same' });
}

/** conv -> batch norm -> ReLU (ReLU omitted with `relu: false`): the paper's unit. */
export function convBn(
  g: GraphBuilder,
  x: Ref,
  prefix: string,
  o: { filters: number; kernel: number; strides?: number; padding: PaddingMode; relu?: boolean; suffix?: string },
): Ref {
  const s = o.suffix ?? '';
  const conv = paddedConv(g, x, `${prefix}_conv${s}`, o);
  const bn = g.batchNorm(conv, `${prefix}_bn${s}`);
  return o.relu === false ? bn : g.relu(bn, `${prefix}_relu${s}`);
}

/**
 * conv (with bias) -> ReLU, the unit of the networks from before batch norm (VGG, AlexNet and
 * GoogLeNet as published). `groups` splits the input and output channels into that many
 * independent convolutions, as AlexNet's two GPUs did (tfjs has no grouped convolution).
 */
export function convRelu(
  g: GraphBuilder,
  x: Ref,
  prefix: string,
  o: {
    filters: number;
    kernel: number;
    strides?: number;
    padding?: 'same' | 'valid';
    groups?: number;
    suffix?: string;
  },
): Ref {
  const s = o.suffix ?? '';
  const groups = o.groups ?? 1;
  const conv = { kernel: o.kernel, strides: o.strides ?? 1, padding: o.padding ?? 'same', useBias: true };
  let y: Ref;
  if (groups === 1) {
    y = g.conv(x, `${prefix}_conv${s}`, { ...conv, filters: o.filters });
  } else {
    const cin = x.shape[2]!;
    if (cin % groups !== 0 || o.filters % groups !== 0) {
      throw new ModelBuildError(`${prefix}: ${cin} -> ${o.filters} channels do not split into ${groups} groups`);
    }
    const parts = Array.from({ length: groups }, (_, i) => {
      const slice = g.channelSlice(x, `${prefix}_group${i + 1}_in${s}`, (i * cin) / groups, cin / groups);
      return g.conv(slice, `${prefix}_group${i + 1}_conv${s}`, { ...conv, filters: o.filters / groups });
    });
    y = g.concat(parts, `${prefix}_conv${s}`);
  }
  return g.relu(y, `${prefix}_relu${s}`);
}

export interface ShortcutOptions {
  type: ShortcutType;
  kernel: number;
  padding: PaddingMode;
  strides: number;
  filters: number;
}

/**
 * The shortcut of a residual block, from block input `x` to a map of `filters` channels at
 * `strides`. A: identity, or stride-2 subsampling (a 1x1 max pool, i.e. the even rows and
 * columns) plus zero channels: no weights at all. B: a k x k projection + batch norm only where
 * the shape changes. C: the projection on every block.
 */
export function shortcut(g: GraphBuilder, x: Ref, prefix: string, o: ShortcutOptions): Ref {
  const channels = x.shape[2]!;
  const changes = o.strides !== 1 || channels !== o.filters;
  if (o.type === 'C' || (o.type === 'B' && changes)) {
    const proj = paddedConv(g, x, `${prefix}_shortcut_conv`, {
      filters: o.filters,
      kernel: o.kernel,
      strides: o.strides,
      padding: o.padding,
    });
    return g.batchNorm(proj, `${prefix}_shortcut_bn`);
  }
  let out = x;
  if (o.strides !== 1)
    out = g.pool(out, `${prefix}_shortcut_pool`, { type: 'max', size: 1, strides: o.strides, padding: 'valid' });
  if (o.filters > channels) out = g.channelPad(out, `${prefix}_shortcut_pad`, o.filters - channels);
  if (o.filters < channels)
    throw new ModelBuildError(`${prefix}: option A cannot shrink ${channels} channels to ${o.filters}`);
  return out;
}

/** Adds the shortcut (when residual) and applies the block's closing ReLU. */
export function closeBlock(g: GraphBuilder, residual: Ref, short: Ref | undefined, prefix: string): Ref {
  const sum = short === undefined ? residual : g.add([residual, short], `${prefix}_add`);
  return g.relu(sum, `${prefix}_out`);
}
