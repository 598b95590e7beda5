// tfjs' Conv2DInfo flattened to the Int32Array the addon's conv kernels read.
import { backend_util } from '@tensorflow/tfjs-core';

export function convGeometry(info: backend_util.Conv2DInfo): Int32Array {
  // oneDNN checks out = (in - effectiveKernel + padBefore + padAfter) / stride + 1 with integer
  // division, which tfjs' padInfo satisfies for 'same', 'valid' and explicit padding alike.
  const p = info.padInfo;
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    p.top,
    p.left,
    p.bottom,
    p.right,
    info.dilationHeight,
    info.dilationWidth,
  ]);
}

export function poolGeometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.dilationHeight,
    info.dilationWidth,
  ]);
}
