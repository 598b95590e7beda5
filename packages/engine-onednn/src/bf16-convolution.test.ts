// bf16 mixed precision (precision.ts): with it on, convolutions forward and both gradients agree
// with float32 within bfloat16's rounding (8 significant bits: ~0.4% per value, less after fp32
// accumulation) and differ from it (bf16 really took effect); switching back restores float32
// exactly. Skipped, with the reason in the suite names, where the engine or native bf16 is missing.
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { bf16Supported, convPrecision, setConvPrecision } from './precision';
import { random, relativeError, runOn, type Inputs, type Outputs } from './testing/backend-parity';
import { ENGINE, SKIP_NOTE } from './testing/engine';

const BF16 = ENGINE.ok && bf16Supported();
const BF16_NOTE = !ENGINE.ok ? SKIP_NOTE : BF16 ? '' : ' [skipped: this CPU has neither AVX512_BF16 nor AMX]';
// Relative to the largest value of each output; bf16 inputs over 3x3x32 = 288-term sums land near 1%.
const BF16_TOL = 2e-2;

// One 3x3 convolution with enough channels for oneDNN's bf16 kernels (stride 2 also covered).
function inputs(stride: number): Inputs {
  const x = random([4, 12, 12, 32]);
  const filter = random([3, 3, 32, 16], -0.2, 0.2);
  const out = Math.ceil(12 / stride);
  return { x, filter, r: random([4, out, out, 16]) };
}

/** The convolution, and the gradients of sum(out * r) for x and the filter. */
const convWithGrads = (stride: number) => (t: Record<string, tf.Tensor>) => {
  const conv = (x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, stride, 'same');
  const grads = tf.grads((x: tf.Tensor, f: tf.Tensor) => conv(x, f).mul(t.r!).sum())([t.x!, t.filter!]);
  return [conv(t.x!, t.filter!), ...grads];
};

const worst = (a: Outputs, b: Outputs) => Math.max(...a.values.map((v, i) => relativeError(v, b.values[i]!)));

describe(`bf16 convolutions on onednn${BF16_NOTE}`, () => {
  afterEach(() => {
    if (ENGINE.ok) setConvPrecision('fp32');
  });

  it.skipIf(!BF16).each([1, 2])('stride %i: forward and gradients within bf16 rounding of fp32', async (stride) => {
    const data = inputs(stride);
    const other = inputs(stride);
    const fp32 = await runOn('onednn', data, convWithGrads(stride));
    const otherFp32 = await runOn('onednn', other, convWithGrads(stride));
    setConvPrecision('bf16');
    expect(convPrecision()).toBe('bf16');
    const bf16 = await runOn('onednn', data, convWithGrads(stride));
    // The same geometry again with other values: the bf16 copies kept with the primitive must be
    // refilled on every call, never reused.
    expect(worst(await runOn('onednn', other, convWithGrads(stride)), otherFp32)).toBeLessThan(BF16_TOL);
    setConvPrecision('fp32');
    const back = await runOn('onednn', data, convWithGrads(stride));
    const errors = bf16.values.map((v, i) => relativeError(v, fp32.values[i]!));
    for (const e of errors) {
      expect(e).toBeLessThan(BF16_TOL);
      // Identical results would mean the multiply never left float32.
      expect(e).toBeGreaterThan(1e-6);
    }
    expect(worst(back, fp32)).toBe(0);
  });
});

describe(`bf16 fused convolution (bias and ReLU, as in nets without batch norm)${BF16_NOTE}`, () => {
  it.skipIf(!BF16)('matches fp32 within bf16 rounding', async () => {
    const data = { ...inputs(1), bias: random([16]) };
    const fused = (t: Record<string, tf.Tensor>) =>
      tf.fused.conv2d({
        x: t.x as tf.Tensor4D,
        filter: t.filter as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: t.bias!,
        activation: 'relu',
      });
    const fp32 = await runOn('onednn', data, fused);
    setConvPrecision('bf16');
    try {
      const bf16 = await runOn('onednn', data, fused);
      expect(worst(bf16, fp32)).toBeLessThan(BF16_TOL);
      expect(worst(bf16, fp32)).toBeGreaterThan(1e-6);
    } finally {
      setConvPrecision('fp32');
    }
  });
});

describe(`bf16 precision setting${SKIP_NOTE}`, () => {
  it.skipIf(!ENGINE.ok)('rejects a precision it does not know, naming it', () => {
    expect(() => setConvPrecision('fp16' as 'bf16')).toThrow(/precision must be "fp32" or "bf16", got "fp16"/);
    expect(convPrecision()).toBe('fp32');
  });

  const nativeNote = BF16 ? ' [skipped: this CPU has native bf16, so there is nothing to refuse]' : '';
  it.skipIf(!ENGINE.ok || BF16)(`refuses bf16 where the CPU would only emulate it${nativeNote}`, () => {
    expect(() => setConvPrecision('bf16')).toThrow(/AVX512_BF16 or AMX/);
  });
});
