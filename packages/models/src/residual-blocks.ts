import type { PaddingMode, ShortcutType } from '@resnet-lab/spec';
import { closeBlock, convBn, shortcut } from './blocks';
import type { GraphBuilder, Ref } from './graph';

export interface BlockOptions {
  filters: number;
  strides: number;
  /** undefined: a plain block, the same layers without the shortcut. */
  shortcut: { type: ShortcutType; kernel: number } | undefined;
  padding: PaddingMode;
}

/** Two 3x3 convs; the first one downsamples. */
export function basicBlock(g: GraphBuilder, x: Ref, prefix: string, o: BlockOptions): Ref {
  const a = convBn(g, x, prefix, {
    filters: o.filters,
    kernel: 3,
    strides: o.strides,
    padding: o.padding,
    suffix: '1',
  });
  const b = convBn(g, a, prefix, { filters: o.filters, kernel: 3, padding: o.padding, relu: false, suffix: '2' });
  const short =
    o.shortcut && shortcut(g, x, prefix, { ...o.shortcut, padding: o.padding, strides: o.strides, filters: o.filters });
  return closeBlock(g, b, short, prefix);
}

/**
 * 1x1 reduce, 3x3, 1x1 expand to 4x `filters`. The stride sits on the first 1x1 conv, as in the
 * paper's (Caffe) models: that is what gives ResNet-50 its 3.8e9 FLOPs (torchvision's "v1.5",
 * stride on the 3x3, has 4.1e9).
 */
export function bottleneckBlock(g: GraphBuilder, x: Ref, prefix: string, o: BlockOptions): Ref {
  const a = convBn(g, x, prefix, {
    filters: o.filters,
    kernel: 1,
    strides: o.strides,
    padding: o.padding,
    suffix: '1',
  });
  const b = convBn(g, a, prefix, { filters: o.filters, kernel: 3, padding: o.padding, suffix: '2' });
  const out = 4 * o.filters;
  const c = convBn(g, b, prefix, { filters: out, kernel: 1, padding: o.padding, relu: false, suffix: '3' });
  const short =
    o.shortcut && shortcut(g, x, prefix, { ...o.shortcut, padding: o.padding, strides: o.strides, filters: out });
  return closeBlock(g, c, short, prefix);
}
