import { describe, expect, it } from 'vitest';
import { TRAINING_DEFAULTS, TrainingSpec, iterationsPerEpoch, resolveTrainingSpec } from './training';
import { ExperimentSpec, specHash } from './experiment';

describe('TrainingSpec', () => {
  it('keeps the six pinned defaults and resolves the optional fields to documented defaults', () => {
    const t = TrainingSpec.parse({});
    expect(t).toEqual({ epochs: 3, batchSize: 128, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, seed: 0 });
    expect(resolveTrainingSpec(t)).toEqual({
      ...t,
      schedule: { type: 'constant' },
      warmup: { type: 'none' },
      logEverySteps: 50,
      checkpointEvery: 1,
      keepLastCheckpoints: 2,
      evaluateTest: 'final',
      testProtocols: ['center'],
      tenCropPadding: 4,
      dropLastBatch: false,
      precision: 'fp32',
    });
    expect(TRAINING_DEFAULTS.keepLastCheckpoints).toBe(2);
  });

  it('drops the last, incomplete batch only when asked, without changing the hash of specs that do not', () => {
    const keep = resolveTrainingSpec(TrainingSpec.parse({ batchSize: 128 }));
    const drop = resolveTrainingSpec(TrainingSpec.parse({ batchSize: 128, dropLastBatch: true }));
    expect(iterationsPerEpoch(keep, 10_000)).toBe(79);
    expect(iterationsPerEpoch(drop, 10_000)).toBe(78);
    expect(iterationsPerEpoch(drop, 1_024)).toBe(8);
    // A training set smaller than a batch is still trained.
    expect(iterationsPerEpoch(drop, 16)).toBe(1);
    const plain = ExperimentSpec.parse({});
    expect(specHash(ExperimentSpec.parse({ training: { dropLastBatch: false } }))).toBe(specHash(plain));
    expect(specHash(ExperimentSpec.parse({ training: { dropLastBatch: true } }))).not.toBe(specHash(plain));
    expect(TrainingSpec.safeParse({ dropLastBatch: 'yes' }).error!.issues[0]!.path).toEqual(['dropLastBatch']);
  });

  it('takes a bf16 precision into the hash, and fp32 (the default) not', () => {
    const plain = ExperimentSpec.parse({});
    expect(specHash(ExperimentSpec.parse({ training: { precision: 'fp32' } }))).toBe(specHash(plain));
    expect(specHash(ExperimentSpec.parse({ training: { precision: 'bf16' } }))).not.toBe(specHash(plain));
    const bad = TrainingSpec.safeParse({ precision: 'fp16' }).error!.issues[0]!;
    expect(bad.path).toEqual(['precision']);
  });

  it('adds test protocols without changing the hash of specs that do not ask for them', () => {
    const plain = ExperimentSpec.parse({});
    const centre = ExperimentSpec.parse({ training: { testProtocols: ['center'], tenCropPadding: 8 } });
    const tenCrop = ExperimentSpec.parse({ training: { testProtocols: ['center', '10-crop'] } });
    const padded = ExperimentSpec.parse({ training: { testProtocols: ['center', '10-crop'], tenCropPadding: 2 } });
    expect(specHash(centre)).toBe(specHash(plain));
    expect(new Set([specHash(plain), specHash(tenCrop), specHash(padded)]).size).toBe(3);
    expect(TrainingSpec.safeParse({ testProtocols: ['10-crop', '10-crop'] }).error!.issues[0]!.path).toEqual([
      'testProtocols',
    ]);
  });

  it('parses the paper recipe: step at 32k/48k iterations, warm-up at 0.01 until train error < 80%', () => {
    const t = TrainingSpec.parse({
      schedule: { type: 'step', milestones: [32_000, 48_000], unit: 'iteration' },
      warmup: { type: 'until-train-error' },
    });
    expect(t.schedule).toEqual({ type: 'step', milestones: [32_000, 48_000], unit: 'iteration', gamma: 0.1 });
    expect(t.warmup).toEqual({ type: 'until-train-error', learningRate: 0.01, below: 0.8, window: 20, maxSteps: 5000 });
  });

  it('fills nested defaults: step milestones count epochs unless told otherwise; cosine ends at 0', () => {
    expect(TrainingSpec.parse({ schedule: { type: 'step', milestones: [2] } }).schedule).toMatchObject({
      unit: 'epoch',
    });
    expect(TrainingSpec.parse({ schedule: { type: 'cosine' } }).schedule).toEqual({
      type: 'cosine',
      minLearningRate: 0,
    });
    expect(TrainingSpec.parse({ warmup: { type: 'fixed', steps: 100 } }).warmup).toEqual({
      type: 'fixed',
      steps: 100,
      learningRate: 0.01,
      ramp: 'constant',
    });
  });

  it('rejects milestones that do not increase, naming the offending one', () => {
    const r = TrainingSpec.safeParse({ schedule: { type: 'step', milestones: [10, 5] } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['schedule', 'milestones', 1]);
  });

  it('rejects a linear warm-up that would start above the rate it ramps to', () => {
    const r = TrainingSpec.safeParse({
      learningRate: 0.01,
      warmup: { type: 'fixed', steps: 10, learningRate: 0.1, ramp: 'linear' },
    });
    expect(r.error!.issues[0]!.path).toEqual(['warmup', 'learningRate']);
  });

  it('rejects unknown fields, also inside the schedule', () => {
    expect(TrainingSpec.safeParse({ schedule: { type: 'cosine', min: 0 } }).success).toBe(false);
    expect(TrainingSpec.safeParse({ checkpointEvry: 2 }).success).toBe(false);
    expect(TrainingSpec.safeParse({ checkpointEvery: 0 }).error!.issues[0]!.path).toEqual(['checkpointEvery']);
  });
});
