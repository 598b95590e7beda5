// The native side never trusts a length: every case that once reached C++ with arrays that did not
// match their shape or geometry (heap writes and reads out of bounds, a SIGFPE) now either falls
// back to tfjs' cpu kernel, with cpu's result, or throws a RangeError naming kernel and argument.
// Caches cannot go stale across backends or thread counts. Skipped, with the reason in the suite
// names, where the engine is not built.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadAddon, type OnednnAddon } from './addon';
import { softmaxCrossEntropy } from './softmax-cross-entropy';
import { ENGINE, SKIP_NOTE } from './testing/engine';

type Outcome = { shape: number[]; values: number[] } | { error: string };

/** What fn gives on a backend: its result's shape and values, or that it threw. */
async function outcomeOn(backend: string, fn: () => tf.Tensor): Promise<Outcome> {
  await tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const t = fn();
      return { shape: t.shape, values: Array.from(t.dataSync()) };
    });
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Same shape and values (NaN where cpu has NaN) within 1e-4, or both threw. */
function expectSameOutcome(native: Outcome, cpu: Outcome): void {
  if ('error' in cpu) {
    expect(native).toHaveProperty('error');
    return;
  }
  expect(native).not.toHaveProperty('error');
  const n = native as { shape: number[]; values: number[] };
  expect(n.shape).toEqual(cpu.shape);
  expect(n.values.length).toBe(cpu.values.length);
  cpu.values.forEach((v, i) => {
    const a = n.values[i]!;
    if (Number.isNaN(v)) expect(a).toBeNaN();
    else expect(Math.abs(a - v)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)));
  });
}

const grid = (shape: number[]) =>
  tf
    .range(
      0,
      shape.reduce((a, b) => a * b, 1),
    )
    .reshape(shape);

// The calls of public tfjs API that reached native code with inconsistent arrays.
const publicCases: Record<string, () => tf.Tensor> = {
  'matMul with an empty batch (sgemm wrote m*n floats into an empty output)': () =>
    tf.matMul(tf.zeros([0, 2, 3]), tf.ones([3, 4])),
  'pad with negative paddings (memcpy before the output)': () =>
    tf.pad(grid([4, 4]), [
      [-1, 0],
      [0, -2],
    ]),
  'slice with begin below -1 (read before the input)': () => tf.slice(grid([4, 4]), [-2, 0], [2, 2]),
  'conv2dTranspose with an output shape that does not match x (read past dy)': () =>
    tf.conv2dTranspose(tf.ones<tf.Rank.R4>([1, 2, 2, 3]), tf.ones<tf.Rank.R4>([3, 3, 5, 3]), [1, 8, 8, 5], 1, 'same'),
  'the filter gradient of such a conv2dTranspose': () =>
    tf.grad((f) => tf.conv2dTranspose(tf.ones<tf.Rank.R4>([1, 2, 2, 3]), f as tf.Tensor4D, [1, 8, 8, 5], 1, 'same'))(
      tf.ones([3, 3, 5, 3]),
    ),
  'batchNorm over zero channels (SIGFPE)': () => tf.batchNorm(tf.zeros([2, 0]), 0, 1),
  'the exported softmaxCrossEntropy with labels shaped unlike the logits (read past labels)': () =>
    softmaxCrossEntropy(tf.ones([2, 3]), tf.ones([4, 5])),
  'conv2d whose valid output is empty': () =>
    tf.conv2d(tf.ones<tf.Rank.R4>([1, 2, 2, 1]), tf.ones<tf.Rank.R4>([3, 3, 1, 1]), 1, 'valid'),
  'maxPool over an empty batch': () => tf.maxPool(tf.zeros<tf.Rank.R4>([0, 4, 4, 2]), 2, 2, 'valid'),
  'localResponseNormalization with a negative radius (tfjs checks only that it is an integer)': () =>
    tf.localResponseNormalization(grid([1, 2, 2, 3]) as tf.Tensor4D, -1, 2, 1e-2, 0.75),
};

describe(`onednn kernels given inconsistent or empty inputs behave like cpu${SKIP_NOTE}`, () => {
  for (const [name, fn] of Object.entries(publicCases)) {
    it.skipIf(!ENGINE.ok)(name, async () => {
      expectSameOutcome(await outcomeOn('onednn', fn), await outcomeOn('cpu', fn));
    });
  }
});

const f = (n: number) => new Float32Array(n);
const geometry = (g: number[]) => Int32Array.from(g);
// A 3x3 'same' convolution of a 1x4x4x2 input into 3 channels: n,h,w,c,kh,kw,oc,oh,ow,sh,sw,pads,dilations.
const conv = geometry([1, 4, 4, 2, 3, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1]);
const x = 32; // 1*4*4*2
const y = 48; // 1*4*4*3
const w = 54; // 3*3*2*3
// A 2x2 stride-2 pool of the same input: n,h,w,c,kh,kw,oh,ow,sh,sw,pt,pl,dh,dw.
const pool = geometry([1, 4, 4, 2, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1]);
const shape = (...d: number[]) => Int32Array.from(d);

// Direct calls with one argument wrong: [kernel, argument named in the error, the call].
const badCalls: [string, string, (a: OnednnAddon) => void][] = [
  ['conv2d', 'y', (a) => a.conv2d(f(x), f(w), null, f(y - 1), conv, false, 0)],
  ['conv2d', 'filter', (a) => a.conv2d(f(x), f(w + 3), null, f(y), conv, false, 0)],
  ['conv2d', 'bias', (a) => a.conv2d(f(x), f(w), f(2), f(y), conv, false, 0)],
  [
    'conv2d',
    'output size',
    (a) => a.conv2d(f(x), f(w), null, f(y), geometry([1, 4, 4, 2, 3, 3, 3, 9, 4, 1, 1, 1, 1, 1, 1, 1, 1]), false, 0),
  ],
  ['conv2d', 'geometry', (a) => a.conv2d(f(x), f(w), null, f(y), geometry([1, 4, 4]), false, 0)],
  ['conv2dBackpropInput', 'dx', (a) => a.conv2dBackpropInput(f(y), f(w), f(x - 1), conv, 0)],
  ['conv2dBackpropFilter', 'dy', (a) => a.conv2dBackpropFilter(f(x), f(y + 1), f(w), conv)],
  ['batchNormTraining', 'gamma', (a) => a.batchNormTraining(f(x), f(1), f(2), f(x), f(2), f(2), 1, 4, 4, 2, 1e-5)],
  [
    'batchNormTrainingGrad',
    'dx',
    (a) => a.batchNormTrainingGrad(f(x), f(x), f(2), f(2), f(2), f(2), f(8), f(2), f(2), 1, 4, 4, 2, 1e-5),
  ],
  ['batchNormInference', 'c', (a) => a.batchNormInference(f(0), f(1), f(1), null, null, f(0), 0, 1e-3)],
  ['batchNormInference', 'mean', (a) => a.batchNormInference(f(8), f(3), f(1), null, null, f(8), 4, 1e-3)],
  ['relu', 'y', (a) => a.relu(f(8), f(4))],
  ['step', 'y', (a) => a.step(f(8), f(4), 0)],
  ['reluGrad', 'x', (a) => a.reluGrad(f(8), f(7), f(8))],
  ['binary', 'b', (a) => a.binary(0, f(6), shape(2, 3), f(2), shape(2), f(6), shape(2, 3))],
  ['binary', 'out', (a) => a.binary(0, f(6), shape(2, 3), f(3), shape(3), f(5), shape(2, 3))],
  ['addN', 'input 1', (a) => a.addN([f(4), f(3)], f(4))],
  ['reduce', 'out', (a) => a.reduce(0, f(24), f(5), 2, 3, 4)],
  ['pool2d', 'y', (a) => a.pool2d(true, f(x), f(7), pool)],
  ['maxPoolGrad', 'dx', (a) => a.maxPoolGrad(f(8), f(x), f(x - 2), pool)],
  ['avgPoolGrad', 'dy', (a) => a.avgPoolGrad(f(9), f(x), pool)],
  ['matmul', 'out', (a) => a.matmul(f(6), f(12), f(7), 1, 2, 4, 3, false, false, 0, 0, null, false)],
  ['matmul', 'a', (a) => a.matmul(f(6), f(12), f(16), 2, 2, 4, 3, false, false, 6, 0, null, false)],
  ['softmax', 'y', (a) => a.softmax(f(6), f(5), 2, 3)],
  ['lrn', 'y', (a) => a.lrn(f(24), f(23), 4, 6, 1, 1, 1e-4, 0.75)],
  ['lrnGrad', 'dy', (a) => a.lrnGrad(f(24), f(24), f(20), f(24), 4, 6, 1, 1, 1e-4, 0.75)],
  ['lrnGrad', 'radius', (a) => a.lrnGrad(f(24), f(24), f(24), f(24), 4, 6, -1, 1, 1e-4, 0.75)],
  ['softmaxCrossEntropy', 'labels', (a) => a.softmaxCrossEntropy(f(5), f(6), f(2), null, 2, 3)],
  ['sgdMomentum', 'velocity', (a) => a.sgdMomentum(f(4), f(4), f(3), 0.1, 0.9, 0, false)],
  ['slice', 'the slice', (a) => a.slice(f(16), shape(4, 4), shape(3, 0), shape(2, 2), f(4))],
  ['pad', 'before', (a) => a.pad(f(16), shape(4, 4), shape(-1, 0), shape(3, 4), 0, f(12))],
  ['relu', 'x', (a) => a.relu(new Float64Array(4) as unknown as Float32Array, f(4))],
];

describe(`the addon checks every array against its shape or geometry${SKIP_NOTE}`, () => {
  const addon = () => (loadAddon() as { ok: true; addon: OnednnAddon }).addon;
  for (const [kernel, argument, call] of badCalls) {
    it.skipIf(!ENGINE.ok)(`${kernel}: a wrong ${argument} is a RangeError`, () => {
      let error: unknown;
      try {
        call(addon());
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message.startsWith(`${kernel}: `)).toBe(true);
      expect((error as Error).message).toContain(argument);
    });
  }
});

describe(`native caches cannot go stale${SKIP_NOTE}`, () => {
  // 16 in and out channels: oneDNN reorders these weights into a blocked layout and caches them.
  const convOf = (filter: tf.Tensor4D) => tf.conv2d(tf.ones<tf.Rank.R4>([1, 6, 6, 16]), filter, 1, 'same');

  it.skipIf(!ENGINE.ok)(
    'a backend made after tf.engine().reset() never sees an earlier backend’s weights',
    async () => {
      await tf.setBackend('onednn');
      const first = tf.fill<tf.Rank.R4>([3, 3, 16, 16], 1);
      convOf(first).dataSync(); // caches first's reordered weights in the native, process-wide cache
      tf.engine().reset(); // a new onednn backend instance on the next setBackend
      const second = async () => {
        const filter = tf.fill<tf.Rank.R4>([3, 3, 16, 16], -2);
        return Array.from(convOf(filter).dataSync());
      };
      await tf.setBackend('onednn');
      const native = await second();
      await tf.setBackend('cpu');
      expect(native).toEqual(await second());
    },
  );

  it.skipIf(!ENGINE.ok)('changing the thread count empties the primitive caches', async () => {
    const a = (loadAddon() as { ok: true; addon: OnednnAddon }).addon;
    await tf.setBackend('onednn');
    tf.tidy(() => convOf(tf.ones<tf.Rank.R4>([3, 3, 16, 16])).dataSync());
    expect(a.cachedPrimitiveCount()).toBeGreaterThan(0);
    const threads = a.getNumThreads();
    a.setNumThreads(threads + 1);
    expect(a.cachedPrimitiveCount()).toBe(0);
    a.setNumThreads(threads);
  });

  it.skipIf(!ENGINE.ok)('disposing the backend empties the native caches', async () => {
    const a = (loadAddon() as { ok: true; addon: OnednnAddon }).addon;
    await tf.setBackend('onednn');
    const filter = tf.ones<tf.Rank.R4>([3, 3, 16, 16]);
    convOf(filter).dataSync();
    expect(a.cachedWeightCount()).toBeGreaterThan(0);
    tf.engine().reset();
    expect(a.cachedWeightCount()).toBe(0);
    expect(a.cachedPrimitiveCount()).toBe(0);
  });
});
