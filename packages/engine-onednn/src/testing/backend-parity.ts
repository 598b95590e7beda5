// Test support: run the same computation on tfjs' `cpu` and on `onednn` from identical inputs and
// compare every output with a norm-wise relative error.
import * as tf from '@tensorflow/tfjs';
import { OnednnBackend } from '../backend';
import { registerOnednnBackend } from '../register-backend';

export type Inputs = Record<string, { shape: number[]; values: Float32Array }>;

/** Registers the engine for tests: one thread, since vitest runs another worker beside it. */
/**
 * CI sets this: a missing or unbuilt engine then fails the tests (and the install) instead of
 * skipping them, so a broken build cannot pass unnoticed.
 */
export const REQUIRE_ENV = 'RESNET_LAB_REQUIRE_ONEDNN';

export function setUpOnednn(): { ok: true } | { ok: false; reason: string } {
  const result = registerOnednnBackend({ threads: 1 });
  if (!result.ok && process.env[REQUIRE_ENV] === '1') {
    throw new Error(`${REQUIRE_ENV}=1 but the oneDNN engine is unavailable: ${result.reason}`);
  }
  return result;
}

let seed = 12345;
/** Deterministic uniform values in [lo, hi). */
export function random(shape: number[], lo = -1, hi = 1): { shape: number[]; values: Float32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    values[i] = lo + (seed / 0x7fffffff) * (hi - lo);
  }
  return { shape, values };
}

export function randInt(lo: number, hi: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return lo + (seed % (hi - lo + 1));
}

/** max |a - b| / max |b|: 0 for identical results. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

export type Outputs = { shapes: number[][]; values: Float32Array[] };

/** Runs fn on a backend with fresh tensors made from `inputs`; returns copies of every output. */
export async function runOn(
  backend: string,
  inputs: Inputs,
  fn: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[],
): Promise<Outputs> {
  await tf.setBackend(backend);
  const active = tf.backend();
  if (active instanceof OnednnBackend) active.poisonOutputs = true;
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values.slice(), v.shape, 'float32');
    const out = fn(tensors);
    const list = Array.isArray(out) ? out : [out];
    return { shapes: list.map((t) => t.shape), values: list.map((t) => Float32Array.from(t.dataSync())) };
  });
}

/** The largest relative error between cpu and onednn over all outputs (shapes must match). */
export async function compareBackends(
  inputs: Inputs,
  fn: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[],
): Promise<number> {
  const cpu = await runOn('cpu', inputs, fn);
  const native = await runOn('onednn', inputs, fn);
  let worst = 0;
  cpu.values.forEach((expected, i) => {
    if (JSON.stringify(cpu.shapes[i]) !== JSON.stringify(native.shapes[i])) worst = Infinity;
    worst = Math.max(worst, relativeError(native.values[i]!, expected));
  });
  return worst;
}
