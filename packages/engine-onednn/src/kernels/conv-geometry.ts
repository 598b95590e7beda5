// tfjs' Conv2DInfo flattened to the Int32Array the addon's conv kernels read, or null for the
// cases the native kernels do not take (the caller falls back to tfjs' cpu kernel).
import { backend_util } from '@tensorflow/tfjs-core';

/** Whether every size is at least 1: empty tensors are the cpu kernel's. */
function nonEmpty(info: backend_util.Conv2DInfo): boolean {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
  ].every((d) => d >= 1);
}

/** oneDNN's output size for one axis: (in - effectiveKernel + padBefore + padAfter) / stride + 1. */
function oneDnnOut(inSize: number, effectiveKernel: number, before: number, after: number, stride: number): number {
  return Math.floor((inSize - effectiveKernel + before + after) / stride) + 1;
}

export function convGeometry(info: backend_util.Conv2DInfo): Int32Array | null {
  // tfjs' padInfo satisfies oneDNN's size rule for 'same', 'valid' and explicit padding; a
  // rounding mode or padding that does not (or an empty tensor) stays on cpu.
  const p = info.padInfo;
  if (
    !nonEmpty(info) ||
    Math.min(p.top, p.left, p.bottom, p.right) < 0 ||
    oneDnnOut(info.inHeight, info.effectiveFilterHeight, p.top, p.bottom, info.strideHeight) !== info.outHeight ||
    oneDnnOut(info.inWidth, info.effectiveFilterWidth, p.left, p.right, info.strideWidth) !== info.outWidth
  ) {
    return null;
  }
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

export function poolGeometry(info: backend_util.Conv2DInfo): Int32Array | null {
  if (!nonEmpty(info) || info.padInfo.top < 0 || info.padInfo.left < 0) return null;
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
