import { z } from 'zod';

/**
 * Learning-rate schedule after warm-up. Milestones count from the first iteration of the run
 * (the paper's "divide by 10 at 32k and 48k iterations"), whatever the warm-up did.
 */
export const LearningRateSchedule = z.discriminatedUnion('type', [
  z.object({ type: z.literal('constant') }).strict(),
  z
    .object({
      type: z.literal('step'),
      /** Strictly increasing; the rate is multiplied by `gamma` at each one. */
      milestones: z.array(z.number().int().positive()).min(1).max(100),
      unit: z.enum(['epoch', 'iteration']).default('epoch'),
      gamma: z.number().positive().max(1).default(0.1),
    })
    .strict()
    .superRefine((s, ctx) => {
      s.milestones.forEach((m, i) => {
        if (i > 0 && m <= s.milestones[i - 1]!) {
          ctx.addIssue({ code: 'custom', path: ['milestones', i], message: 'milestones must be strictly increasing' });
        }
      });
    }),
  z
    .object({
      type: z.literal('cosine'),
      /**
       * The rate the curve ends at, one iteration after the last (PyTorch CosineAnnealingLR with
       * T_max = all iterations).
       */
      minLearningRate: z.number().min(0).max(10).default(0),
    })
    .strict(),
]);
export type LearningRateSchedule = z.infer<typeof LearningRateSchedule>;

/**
 * fixed: the first `steps` iterations run at `learningRate` (ramp 'constant') or ramp linearly from
 * it to the scheduled rate (ramp 'linear').
 * until-train-error: run at `learningRate` until the training error over the last `window`
 * iterations is below `below` (ResNet-110: 0.01 until the error is below 80%, about 400
 * iterations), then switch to the schedule for good; `maxSteps` bounds it.
 */
export const Warmup = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('fixed'),
      steps: z.number().int().positive().max(1_000_000),
      learningRate: z.number().min(0).max(10).default(0.01),
      ramp: z.enum(['constant', 'linear']).default('constant'),
    })
    .strict(),
  z
    .object({
      type: z.literal('until-train-error'),
      learningRate: z.number().positive().max(10).default(0.01),
      below: z.number().gt(0).lt(1).default(0.8),
      window: z.number().int().positive().max(10_000).default(20),
      maxSteps: z.number().int().positive().max(1_000_000).default(5_000),
    })
    .strict(),
]);
export type Warmup = z.infer<typeof Warmup>;

/** Top-5 error is reported wherever there are more than five classes (with five it is always 0). */
export function reportsTop5(classes: number): boolean {
  return classes > 5;
}

/** Test-time protocols (see TrainingSpec.testProtocols). */
export const TEST_PROTOCOLS = ['center', '10-crop', 'dense', 'multi-scale'] as const;
export type TestProtocol = (typeof TEST_PROTOCOLS)[number];

/**
 * The optional fields below have no zod default, so a stored spec keeps only what its author
 * wrote; `resolveTrainingSpec` fills them (TRAINING_DEFAULTS says with what), and `specHash`
 * hashes the resolved form, so spelled-out defaults and omitted ones are the same experiment.
 */
export const TrainingSpec = z
  .object({
    epochs: z.number().int().positive().max(10_000).default(3),
    batchSize: z.number().int().positive().max(4096).default(128),
    learningRate: z.number().positive().max(10).default(0.1),
    momentum: z.number().min(0).max(1).default(0.9),
    weightDecay: z.number().min(0).max(1).default(1e-4),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    schedule: LearningRateSchedule.optional(),
    warmup: Warmup.optional(),
    /**
     * Leave out each epoch's last, incomplete batch (PyTorch's drop_last). Its batch-norm statistics
     * come from a few images only, and one such batch can throw a deep net off at a high learning
     * rate (docs/training-parity.md); the images left out change every epoch with the shuffle.
     * Default false. A training set smaller than one batch is always trained as one batch.
     */
    dropLastBatch: z.boolean().optional(),
    /**
     * The precision convolutions compute in. "bf16": mixed precision on the native engine, the
     * convolutions' inputs and weights rounded to bfloat16 for the multiply, everything else
     * (master weights, gradients, optimizer, batch norm) float32; only on CPUs with native bf16
     * (AVX512_BF16 or AMX), else the experiment fails saying so. Default "fp32".
     */
    precision: z.enum(['fp32', 'bf16']).optional(),
    /** Emit the mean training loss every this many iterations. */
    logEverySteps: z.number().int().positive().max(1_000_000).optional(),
    /** Checkpoint every this many epochs (the last epoch always checkpoints). */
    checkpointEvery: z.number().int().positive().max(10_000).optional(),
    /** The worker keeps this many most recent checkpoints (plus the best by validation error). */
    keepLastCheckpoints: z.number().int().min(1).max(1_000).optional(),
    /** When to evaluate on the test set: after the last epoch only, after every epoch, or never. */
    evaluateTest: z.enum(['final', 'every-epoch', 'never']).optional(),
    /**
     * How the test set is scored, each protocol as its own metrics:
     * - `center`: each image as it is (test.loss, test.error);
     * - `10-crop`: the image zero-padded by tenCropPadding, its four corner crops and centre crop,
     *   each also flipped, the ten softmax outputs averaged (test.error_10crop);
     * - `dense`: the whole image resized to denseScale pixels, through the network laid out for
     *   that size with the trained weights: the classifier (an fc head as convolutions) applied at
     *   every position and the class scores averaged (test.error_dense);
     * - `multi-scale`: dense at each of testScales, the softmax outputs averaged (test.error_multiscale).
     * Default: center.
     */
    testProtocols: z
      .array(z.enum(TEST_PROTOCOLS))
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'list each protocol once')
      .optional(),
    /** The dense protocol's test size in pixels; default: the network's input size. */
    denseScale: z.number().int().min(8).max(1024).optional(),
    /** The multi-scale protocol's test sizes in pixels; default: 7/8, 1 and 9/8 of the input size. */
    testScales: z.array(z.number().int().min(8).max(1024)).min(1).max(8).optional(),
    /** Pixels of zero padding on each side for the 10-crop protocol's corner crops. */
    tenCropPadding: z.number().int().min(1).max(16).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.warmup?.type === 'fixed' && t.warmup.ramp === 'linear' && t.warmup.learningRate > t.learningRate) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmup', 'learningRate'],
        message: 'a linear warm-up starts below the learning rate it ramps to',
      });
    }
    if (t.schedule?.type === 'cosine' && t.schedule.minLearningRate > t.learningRate) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule', 'minLearningRate'],
        message: 'minLearningRate must not exceed learningRate',
      });
    }
  });
export type TrainingSpec = z.infer<typeof TrainingSpec>;

export const TRAINING_DEFAULTS = {
  schedule: { type: 'constant' } as LearningRateSchedule,
  warmup: { type: 'none' } as Warmup,
  logEverySteps: 50,
  checkpointEvery: 1,
  keepLastCheckpoints: 2,
  evaluateTest: 'final' as const,
  testProtocols: ['center'] as TestProtocol[],
  tenCropPadding: 4,
  dropLastBatch: false,
  precision: 'fp32' as const,
};

/**
 * The multi-scale protocol's default test sizes: 7/8, 1 and 9/8 of the network's input size, none
 * below the smallest input its family builds.
 */
export function defaultTestScales(inputSize: number, minInputSize: number): number[] {
  const sizes = [Math.round(inputSize * 0.875), inputSize, Math.round(inputSize * 1.125)];
  return [...new Set(sizes.map((size) => Math.max(minInputSize, size)))];
}

/** Every field filled but the test sizes, whose defaults depend on the network's input size. */
export type ResolvedTrainingSpec = Required<Omit<TrainingSpec, 'denseScale' | 'testScales'>> &
  Pick<TrainingSpec, 'denseScale' | 'testScales'>;

/** The training spec with every optional field filled with its documented default. */
export function resolveTrainingSpec(t: TrainingSpec): ResolvedTrainingSpec {
  return {
    ...t,
    schedule: t.schedule ?? TRAINING_DEFAULTS.schedule,
    warmup: t.warmup ?? TRAINING_DEFAULTS.warmup,
    logEverySteps: t.logEverySteps ?? TRAINING_DEFAULTS.logEverySteps,
    checkpointEvery: t.checkpointEvery ?? TRAINING_DEFAULTS.checkpointEvery,
    keepLastCheckpoints: t.keepLastCheckpoints ?? TRAINING_DEFAULTS.keepLastCheckpoints,
    evaluateTest: t.evaluateTest ?? TRAINING_DEFAULTS.evaluateTest,
    testProtocols: t.testProtocols ?? TRAINING_DEFAULTS.testProtocols,
    tenCropPadding: t.tenCropPadding ?? TRAINING_DEFAULTS.tenCropPadding,
    dropLastBatch: t.dropLastBatch ?? TRAINING_DEFAULTS.dropLastBatch,
    precision: t.precision ?? TRAINING_DEFAULTS.precision,
  };
}

/** Iterations per epoch: the last, incomplete batch counts unless dropLastBatch leaves it out. */
export function iterationsPerEpoch(
  t: Pick<ResolvedTrainingSpec, 'batchSize' | 'dropLastBatch'>,
  trainCount: number,
): number {
  return t.dropLastBatch ? Math.max(1, Math.floor(trainCount / t.batchSize)) : Math.ceil(trainCount / t.batchSize);
}
