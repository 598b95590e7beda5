// The precision convolutions compute in. "bf16" is mixed precision: the engine rounds a
// convolution's inputs and weights to bfloat16 for the multiply (float32 accumulation) and returns
// float32, so master weights, gradients, the optimizer and batch norm stay float32. Worth it only
// where the CPU multiplies bf16 natively (AVX512_BF16, AMX); elsewhere the engine refuses it.
import { loadAddon } from './addon';

export type ConvPrecision = 'fp32' | 'bf16';

/** Whether this CPU can run bf16 convolutions natively; false where the engine is unavailable. */
export function bf16Supported(): boolean {
  const load = loadAddon();
  return load.ok && load.addon.nativeBf16();
}

/**
 * Sets the precision of every later convolution on `onednn` (prepared primitives are dropped).
 * Throws, naming the reason, when the engine is unavailable or the CPU has no native bf16.
 */
export function setConvPrecision(precision: ConvPrecision): void {
  const load = loadAddon();
  if (!load.ok) throw new Error(`setConvPrecision: the oneDNN engine is unavailable: ${load.reason}`);
  load.addon.setConvPrecision(precision);
}

export function convPrecision(): ConvPrecision {
  const load = loadAddon();
  return load.ok ? load.addon.getConvPrecision() : 'fp32';
}
