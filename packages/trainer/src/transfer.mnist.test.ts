import { describe, expect, it } from 'vitest';
import { ExperimentSpec, resolveExperiment, type TrainerEvent } from '@resnet-lab/spec';
import { runTraining } from './index';

const SOURCE_ID = '00000000-0000-4000-8000-0000000000aa';

/** Trains a spec on the fastest backend; the last epoch's checkpoint and metrics. */
async function train(input: unknown, init?: { bytes: Uint8Array }) {
  const epochs: Extract<TrainerEvent, { type: 'epoch' }>[] = [];
  const result = await runTraining({
    experiment: resolveExperiment(ExperimentSpec.parse(input)),
    signal: new AbortController().signal,
    onEvent: (e) => {
      if (e.type === 'epoch') epochs.push(e);
    },
    ...(init ? { init: { experiment: SOURCE_ID, epoch: 2, ...init } } : {}),
  });
  const last = epochs.at(-1)!;
  const metric = (split: string, name: string) => last.metrics.find((m) => m.split === split && m.name === name)!.value;
  return { backend: result.backend, checkpoint: last.checkpoint!.bytes, testError: metric('test', 'error') };
}

const training = { batchSize: 32, learningRate: 0.05, schedule: { type: 'cosine' }, evaluateTest: 'final' } as const;
/** All the training images of these digits (about 30,000 for five), 500 held out for validation. */
const digits = (labels: number[]) => ({ name: 'mnist', labels, validationSplit: 500 }) as const;

describe('transfer learning on real MNIST', () => {
  // Like lenet5.mnist.test.ts: seconds on the native engine, minutes on tfjs `cpu` alone.
  const title =
    'fine-tunes only the head of a LeNet-5 trained on digits 0-4 to 90% on 5-9 in one epoch, above random features';
  it(
    title,
    async () => {
      const source = await train({
        architecture: { family: 'lenet5' },
        dataset: digits([0, 1, 2, 3, 4]),
        training: { ...training, epochs: 2 },
      });
      expect(source.testError).toBeLessThan(0.05);
      const target = {
        architecture: { family: 'lenet5' },
        dataset: digits([5, 6, 7, 8, 9]),
        training: { ...training, epochs: 1 },
        init: { from: { experiment: SOURCE_ID, epoch: 2 }, freeze: 'all-but-head', resetHead: true },
      } as const;
      const tuned = await train(target, { bytes: source.checkpoint });
      // The baseline: the same frozen layers never trained (a learning rate of 1e-9 over a few
      // batches, so that only the batch-norm statistics, which follow the data when frozen too,
      // have seen digits), the same head trained on top.
      const untrained = await train({
        architecture: { family: 'lenet5' },
        dataset: { ...digits([0, 1, 2, 3, 4]), subset: 2048 },
        training: { ...training, epochs: 1, learningRate: 1e-9 },
      });
      const random = await train(target, { bytes: untrained.checkpoint });
      console.info(
        `LeNet-5 on ${tuned.backend}: digits 0-4 test error ${source.testError}, ` +
          `head fine-tuned on 5-9: test error ${tuned.testError}, on frozen random features ${random.testError}`,
      );
      expect(tuned.testError).toBeLessThan(0.1);
      expect(tuned.testError).toBeLessThan(random.testError);
    },
    900_000,
  );
});
