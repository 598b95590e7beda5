// Every native kernel against tfjs' `cpu` kernel on random shapes, forward and gradients, within
// 1e-4 relative error. Skipped, with the reason in the suite names, where the engine is not built.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareBackends, type Inputs, randInt, random } from '../testing/backend-parity';
import { ENGINE, SKIP_NOTE } from '../testing/engine';
import { BATCH_NORM_TRAINING } from './batch-norm-training';

const TOL = 1e-4;
const zeros4 = (shape: number[]) => tf.zeros<tf.Rank.R4>(shape as [number, number, number, number]);
async function expectParity(inputs: Inputs, fn: (t: Record<string, tf.Tensor>) => tf.Tensor | tf.Tensor[]) {
  expect(await compareBackends(inputs, fn)).toBeLessThanOrEqual(TOL);
}

/** Forward output and the gradients of sum(out * r) with respect to each input. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, names: string[]) {
  return (t: Record<string, tf.Tensor>) => {
    const xs = names.map((n) => t[n]!);
    const out = f(...xs);
    const r = t.r!;
    const grads = tf.grads((...ys: tf.Tensor[]) =>
      f(...ys)
        .mul(r)
        .sum(),
    )(xs);
    return [out, ...grads];
  };
}

function convCase(n: number, k: number, s: number, pad: 'same' | 'valid', dilation = 1) {
  const h = k * dilation + randInt(0, 6) + (pad === 'valid' ? 0 : -Math.min(k - 1, 2));
  const w = k * dilation + randInt(0, 6);
  const cin = randInt(1, 6);
  const cout = randInt(1, 6);
  const x = random([n, Math.max(h, 1), w, cin]);
  const filter = random([k, k, cin, cout]);
  const outShape = tf.tidy(() => tf.conv2d(zeros4(x.shape), zeros4(filter.shape), s, pad, 'NHWC', dilation).shape);
  return { x, filter, r: random(outShape) };
}

describe.skipIf(!ENGINE.ok)('conv2d kernels (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter)' + SKIP_NOTE, () => {
  for (const k of [1, 2, 3, 4, 5, 6, 7, 11]) {
    it(`kernel ${k}: strides 1/2/4, same/valid, batch 1, forward and both gradients`, async () => {
      for (const s of [1, 2, 4]) {
        for (const pad of ['same', 'valid'] as const) {
          const inputs = convCase(1, k, s, pad);
          await expectParity(
            inputs,
            withGrads((x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad), ['x', 'filter']),
          );
        }
      }
    });
  }

  it('batch 64 at kernels 1/3/7, strides 1/2, forward and both gradients', async () => {
    for (const [k, s] of [
      [1, 2],
      [3, 1],
      [3, 2],
      [7, 2],
    ] as const) {
      const inputs = { x: random([64, 9, 9, 4]), filter: random([k, k, 4, 8]) };
      const outShape = tf.tidy(() => tf.conv2d(zeros4(inputs.x.shape), zeros4(inputs.filter.shape), s, 'same').shape);
      await expectParity(
        { ...inputs, r: random(outShape) },
        withGrads((x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, 'same'), ['x', 'filter']),
      );
    }
  });

  it('dilated forward', async () => {
    const inputs = convCase(2, 3, 1, 'same', 2);
    await expectParity(inputs, (t) => tf.conv2d(t.x as tf.Tensor4D, t.filter as tf.Tensor4D, 1, 'same', 'NHWC', 2));
  });

  it('FusedConv2D with bias and ReLU, and its gradients', async () => {
    for (const activation of ['relu', 'linear'] as const) {
      const { x, filter, r } = convCase(3, 3, 2, 'same');
      const bias = random([filter.shape[3]!]);
      await expectParity(
        { x, filter, bias, r },
        withGrads(
          (xx, f, b) =>
            tf.fused.conv2d({
              x: xx as tf.Tensor4D,
              filter: f as tf.Tensor4D,
              strides: 2,
              pad: 'same',
              bias: b,
              activation,
            }),
          ['x', 'filter', 'bias'],
        ),
      );
    }
  });

  it('conv2dTranspose (Conv2DBackpropInput on its own)', async () => {
    const x = random([2, 5, 5, 4]);
    const filter = random([3, 3, 6, 4]);
    await expectParity({ x, filter }, (t) =>
      tf.conv2dTranspose(t.x as tf.Tensor4D, t.filter as tf.Tensor4D, [2, 10, 10, 6], 2, 'same'),
    );
  });

  it('conv2dTranspose with a dy smaller than its output shape implies stays in bounds (as cpu does)', async () => {
    // tfjs checks only dy's depth; the native kernel would read 64x64 rows of a 2x2 dy. cpu's
    // answer is NaN there, so the two are compared value for value (NaN equal to NaN).
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const y = tf.conv2dTranspose(
        tf.ones<tf.Rank.R4>([1, 2, 2, 8]),
        tf.ones<tf.Rank.R4>([3, 3, 8, 8]),
        [1, 64, 64, 8],
        1,
        'same',
      );
      const values = Array.from(await y.data());
      y.dispose();
      return values;
    };
    const expected = await run('cpu');
    expect(await run('onednn')).toEqual(expected);
  });
});

describe.skipIf(!ENGINE.ok)('batch norm' + SKIP_NOTE, () => {
  it('training forward (y, mean, variance) and backward match moments + batchNorm', async () => {
    for (const shape of [
      [1, 5, 5, 3],
      [64, 4, 4, 8],
      [16, 10],
    ]) {
      const c = shape[shape.length - 1]!;
      const inputs = { x: random(shape, -2, 3), gamma: random([c], 0.5, 1.5), beta: random([c]), r: random(shape) };
      const axes = shape.map((_, i) => i).slice(0, -1);
      const stock = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, axes);
        return tf.batchNorm(x, mean, variance, b, g, 1e-5);
      };
      const native = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.engine().runKernel<tf.Tensor[]>(BATCH_NORM_TRAINING, { x, gamma: g, beta: b }, { epsilon: 1e-5 })[0]!;
      const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => (tf.getBackend() === 'onednn' ? native : stock)(x, g, b);
      await expectParity(inputs, (t) => {
        const stats =
          tf.getBackend() === 'onednn'
            ? tf
                .engine()
                .runKernel<tf.Tensor[]>(
                  BATCH_NORM_TRAINING,
                  { x: t.x!, gamma: t.gamma!, beta: t.beta! },
                  { epsilon: 1e-5 },
                )
                .slice(1)
            : (({ mean, variance }) => [mean, variance])(tf.moments(t.x!, axes));
        return [...withGrads(f, ['x', 'gamma', 'beta'])(t), ...stats];
      });
    }
  });

  it('keeps the primitives of two small epsilons apart', async () => {
    // A channel whose variance (~1e-9) is below both epsilons: each eps gives its own output.
    const x = random([8, 2, 2, 1], 1, 1.0001);
    const normalise = (t: tf.Tensor, eps: number) =>
      tf.getBackend() === 'onednn'
        ? tf
            .engine()
            .runKernel<tf.Tensor[]>(
              BATCH_NORM_TRAINING,
              { x: t, gamma: tf.ones([1]), beta: tf.zeros([1]) },
              { epsilon: eps },
            )[0]!
        : (({ mean, variance }) => tf.batchNorm(t, mean, variance, undefined, undefined, eps))(
            tf.moments(t, [0, 1, 2]),
          );
    await expectParity({ x }, (t) => [normalise(t.x!, 1e-7), normalise(t.x!, 1e-8)]);
  });

  it('inference (FusedBatchNorm) with per-channel and scalar statistics', async () => {
    const x = random([4, 3, 3, 5]);
    await expectParity({ x, m: random([5]), v: random([5], 0.1, 2), o: random([5]), s: random([5]) }, (t) =>
      tf.batchNorm(t.x!, t.m!, t.v!, t.o, t.s, 1e-3),
    );
    await expectParity({ x, m: random([1]), v: random([1], 0.1, 2) }, (t) => tf.batchNorm(t.x!, t.m!, t.v!));
  });
});

describe.skipIf(!ENGINE.ok)('element-wise kernels' + SKIP_NOTE, () => {
  it('Relu and its gradient, Step', async () => {
    for (const shape of [
      [1, 7, 7, 3],
      [64, 8, 8, 16],
    ]) {
      await expectParity(
        { x: random(shape), r: random(shape) },
        withGrads((x) => tf.relu(x), ['x']),
      );
      await expectParity({ x: random(shape) }, (t) => tf.step(t.x!, 0.3));
    }
  });

  it('broadcasting binary ops and their gradients', async () => {
    const pairs: [number[], number[]][] = [
      [
        [2, 3, 4, 5],
        [2, 3, 4, 5],
      ],
      [[2, 3, 4, 5], [5]],
      [
        [2, 3, 4, 5],
        [1, 3, 1, 5],
      ],
      [[5], [2, 3, 4, 5]],
      [[2, 3, 4, 5], []],
      [
        [64, 8, 8, 16],
        [64, 8, 8, 16],
      ],
      [
        [3, 1],
        [1, 4],
      ],
      [
        [7, 1, 5],
        [7, 6, 1],
      ],
    ];
    const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
      ['add', tf.add],
      ['sub', tf.sub],
      ['mul', tf.mul],
      ['div', tf.div],
      ['maximum', tf.maximum],
      ['minimum', tf.minimum],
      ['squaredDifference', tf.squaredDifference],
    ];
    for (const [as, bs] of pairs) {
      for (const [name, op] of ops) {
        const outShape = tf.tidy(() => op(tf.zeros(as), tf.ones(bs)).shape);
        const inputs = { a: random(as), b: random(bs, 0.5, 2), r: random(outShape) };
        // tfjs' own Maximum/Minimum/SquaredDifference gradients do not reduce broadcast axes (they throw on cpu
        // too), so those three are compared forward-only when shapes differ.
        const broadcasts = JSON.stringify(as) !== JSON.stringify(bs);
        if (broadcasts && ['maximum', 'minimum', 'squaredDifference'].includes(name)) {
          await expectParity(inputs, (t) => op(t.a!, t.b!));
        } else {
          await expectParity(inputs, withGrads(op, ['a', 'b']));
        }
      }
    }
  });

  it('AddN', async () => {
    await expectParity({ a: random([64, 4, 4, 8]), b: random([64, 4, 4, 8]), c: random([64, 4, 4, 8]) }, (t) =>
      tf.addN([t.a!, t.b!, t.c!]),
    );
  });
});

describe.skipIf(!ENGINE.ok)('reductions' + SKIP_NOTE, () => {
  it('Sum, Mean, Max over contiguous and other axes, with and without keepDims', async () => {
    const x = random([6, 5, 4, 3]);
    for (const axes of [[0, 1, 2], [1, 2], [3], [-1], [0], [0, 2], [0, 1, 2, 3]]) {
      for (const keep of [false, true]) {
        await expectParity({ x }, (t) => [
          tf.sum(t.x!, axes, keep),
          tf.mean(t.x!, axes, keep),
          tf.max(t.x!, axes, keep),
        ]);
      }
    }
    await expectParity(
      { x: random([64, 8, 8, 16]), r: random([64, 16]) },
      withGrads((v) => tf.mean(v, [1, 2]), ['x']),
    );
  });
});

describe.skipIf(!ENGINE.ok)('pooling' + SKIP_NOTE, () => {
  it('MaxPool and AvgPool with gradients: sizes 1/2/3, strides 1/2, same/valid', async () => {
    for (const size of [1, 2, 3]) {
      for (const s of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) {
          const x = random([randInt(1, 3), randInt(size, 9), randInt(size, 9), randInt(1, 5)]);
          for (const pool of [tf.maxPool, tf.avgPool]) {
            const outShape = tf.tidy(() => pool(zeros4(x.shape), size, s, pad).shape);
            await expectParity(
              { x, r: random(outShape) },
              withGrads((v) => pool(v as tf.Tensor4D, size, s, pad), ['x']),
            );
          }
        }
      }
    }
  });
});

describe.skipIf(!ENGINE.ok)('matmul and softmax' + SKIP_NOTE, () => {
  it('MatMul with transposes and batches, fused bias + ReLU, and gradients', async () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const a = random(ta ? [7, 5] : [5, 7]);
      const b = random(tb ? [3, 7] : [7, 3]);
      await expectParity(
        { a, b, r: random([5, 3]) },
        withGrads((x, y) => tf.matMul(x, y, ta, tb), ['a', 'b']),
      );
    }
    await expectParity({ a: random([4, 5, 6]), b: random([4, 6, 2]) }, (t) => tf.matMul(t.a!, t.b!));
    await expectParity({ a: random([4, 5, 6]), b: random([1, 6, 2]) }, (t) => tf.matMul(t.a!, t.b!));
    // Batch ranks that differ: the output keeps the broadcast batch shape.
    await expectParity({ a: random([5, 6]), b: random([1, 6, 2]) }, (t) => tf.matMul(t.a!, t.b!));
    await expectParity(
      { a: random([64, 64]), b: random([64, 10]), bias: random([10]), r: random([64, 10]) },
      withGrads((x, y, z) => tf.fused.matMul({ a: x, b: y, bias: z, activation: 'relu' }), ['a', 'b', 'bias']),
    );
  });

  it('Softmax and softmax cross-entropy', async () => {
    await expectParity({ x: random([64, 10], -5, 5) }, (t) => tf.softmax(t.x!));
    const { softmaxCrossEntropy } = await import('../softmax-cross-entropy');
    const labels = random([64, 10], 0, 1);
    await expectParity(
      { labels, logits: random([64, 10], -5, 5), r: random([]) },
      withGrads((l) => softmaxCrossEntropy(tf.tensor(labels.values, labels.shape), l), ['logits']),
    );
  });
});

describe.skipIf(!ENGINE.ok)('local response normalisation (AlexNet, GoogLeNet as published)' + SKIP_NOTE, () => {
  it('LRN and its gradient: radius 0/1/2/5, channels fewer and more than the window', async () => {
    const { getKernel, LRN, LRNGrad } = await import('@tensorflow/tfjs-core');
    // The native kernels, not the cpu ones registered under onednn for everything else.
    for (const name of [LRN, LRNGrad]) {
      expect(getKernel(name, 'onednn')?.kernelFunc, name).not.toBe(getKernel(name, 'cpu')?.kernelFunc);
    }
    for (const [radius, bias, alpha, beta, channels] of [
      [0, 1, 1e-4, 0.75, 3],
      [1, 2, 1e-2, 0.5, 4],
      [2, 2, 1e-4, 0.75, 16],
      [5, 1, 1e-3, 0.75, 7],
    ] as const) {
      const x = random([3, 5, 4, channels], -3, 3);
      await expectParity(
        { x, r: random(x.shape) },
        withGrads((v) => tf.localResponseNormalization(v as tf.Tensor4D, radius, bias, alpha, beta), ['x']),
      );
    }
  });
});

describe.skipIf(!ENGINE.ok)('slicing and padding' + SKIP_NOTE, () => {
  it('Slice and PadV2 with gradients (option A shortcuts pad channels)', async () => {
    const x = random([4, 6, 6, 8]);
    await expectParity(
      { x, r: random([2, 3, 6, 4]) },
      withGrads((v) => tf.slice(v, [1, 2, 0, 3], [2, 3, 6, 4]), ['x']),
    );
    await expectParity(
      { x, r: random([4, 6, 6, 16]) },
      withGrads(
        (v) =>
          tf.pad(v, [
            [0, 0],
            [0, 0],
            [0, 0],
            [0, 8],
          ]),
        ['x'],
      ),
    );
    await expectParity({ x }, (t) =>
      tf.pad(
        t.x!,
        [
          [1, 0],
          [2, 1],
          [0, 3],
          [1, 1],
        ],
        0.5,
      ),
    );
  });
});
