// The trainer's real loop as the worker runs it, for the benchmarks (bench-loop.ts,
// bench-shared-cores.ts): its trainer child process (apps/worker/src/trainer-process.ts) with a CPU
// slot's environment, events over IPC, plain-20 on synthetic 28x28x1 images at batch 128 (the
// shape of a Fashion-MNIST grid), no database.
import { ExperimentSpec, resolveExperiment, type ResolvedExperiment } from '@resnet-lab/spec';
import { startTrainer } from '../apps/worker/src/trainer-process';

export const LOOP_BATCH = 128;
export const LOOP_ARCHITECTURE = {
  family: 'cifar-plain',
  depth: 20,
  inputSize: 28,
  inputChannels: 1,
  numClasses: 10,
} as const;

export function loopExperiment(trainSize: number, epochs: number, logEverySteps = 5): ResolvedExperiment {
  return resolveExperiment(
    ExperimentSpec.parse({
      architecture: LOOP_ARCHITECTURE,
      dataset: {
        name: 'synthetic',
        imageSize: 28,
        channels: 1,
        classes: 10,
        trainSize,
        testSize: LOOP_BATCH,
        validationSplit: 0,
      },
      training: { epochs, batchSize: LOOP_BATCH, learningRate: 0.01, logEverySteps },
    }),
  );
}

/**
 * Images/s of the trainer child over its second epoch of `steps` batches (the first warms up:
 * oneDNN creates its primitives, V8 compiles the loop).
 */
export async function trainerChildSpeed(steps: number, env: Record<string, string>): Promise<number> {
  const perEpoch: number[] = [];
  const handle = startTrainer({
    experimentId: 'bench',
    experiment: loopExperiment(steps * LOOP_BATCH, 2),
    backend: 'onednn',
    env,
    onEvent: async (e) => {
      if (e.type !== 'epoch') return;
      const m = e.metrics.find((x) => x.split === 'train' && x.name === 'images_per_second');
      if (m) perEpoch.push(m.value);
    },
  });
  const exit = await handle.exited;
  if (exit.kind !== 'completed' || perEpoch.length < 2) throw new Error(`trainer child: ${JSON.stringify(exit)}`);
  return perEpoch[1]!;
}
