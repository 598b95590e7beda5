import { describe, expect, it } from 'vitest';
import { TrainingSpec, resolveTrainingSpec } from '@resnet-lab/spec';
import { LearningRateSchedule } from './lr.schedule';

const make = (input: object, stepsPerEpoch = 100, totalSteps = 64_000) =>
  new LearningRateSchedule(resolveTrainingSpec(TrainingSpec.parse(input)), stepsPerEpoch, totalSteps);

describe('learning-rate schedules', () => {
  it("step at the paper's 32k and 48k iterations", () => {
    const s = make({ learningRate: 0.1, schedule: { type: 'step', milestones: [32_000, 48_000], unit: 'iteration' } });
    expect(s.rate(0)).toBe(0.1);
    expect(s.rate(31_999)).toBe(0.1);
    expect(s.rate(32_000)).toBeCloseTo(0.01, 12);
    expect(s.rate(47_999)).toBeCloseTo(0.01, 12);
    expect(s.rate(48_000)).toBeCloseTo(0.001, 12);
    expect(s.rate(63_999)).toBeCloseTo(0.001, 12);
  });

  it('step with milestones in epochs converts through the steps per epoch', () => {
    const s = make({ learningRate: 0.1, schedule: { type: 'step', milestones: [2, 3], gamma: 0.5 } }, 10);
    expect([s.rate(19), s.rate(20), s.rate(29), s.rate(30)]).toEqual([0.1, 0.05, 0.05, 0.025]);
  });

  it('cosine starts at the learning rate, halves midway and ends at the minimum', () => {
    const s = make({ learningRate: 0.1, schedule: { type: 'cosine', minLearningRate: 0.001 } }, 10, 1000);
    expect(s.rate(0)).toBeCloseTo(0.1, 12);
    expect(s.rate(500)).toBeCloseTo(0.0505, 12);
    expect(s.rate(1000)).toBeCloseTo(0.001, 12);
    expect(s.rate(999)).toBeGreaterThan(0.001);
  });

  it('fixed warm-up: constant, or a linear ramp to the scheduled rate', () => {
    const c = make({ learningRate: 0.1, warmup: { type: 'fixed', steps: 400, learningRate: 0.01 } });
    expect([c.rate(0), c.rate(399), c.rate(400)]).toEqual([0.01, 0.01, 0.1]);
    const l = make({ learningRate: 0.1, warmup: { type: 'fixed', steps: 100, learningRate: 0, ramp: 'linear' } });
    expect(l.rate(0)).toBe(0);
    expect(l.rate(50)).toBeCloseTo(0.05, 12);
    expect(l.rate(100)).toBe(0.1);
  });

  it('until-train-error warm-up (ResNet-110): 0.01 until the recent training error is below 80%, then for good', () => {
    const s = make({
      learningRate: 0.1,
      schedule: { type: 'step', milestones: [32_000], unit: 'iteration' },
      warmup: { type: 'until-train-error', window: 3 },
    });
    const errors = [0.9, 0.9, 0.85, 0.8, 0.7, 0.95];
    const rates: number[] = [];
    errors.forEach((e, step) => {
      rates.push(s.rate(step));
      s.observe(step, e);
    });
    // After step 4 the mean of (0.85, 0.8, 0.7) = 0.783 < 0.8; a later bad batch does not switch back.
    expect(rates).toEqual([0.01, 0.01, 0.01, 0.01, 0.01, 0.1]);
    expect(s.rate(6)).toBe(0.1);
    expect(s.state()).toEqual({ warmupDone: true, recentErrors: [] });
  });

  it('until-train-error resumes from saved state and gives up after maxSteps', () => {
    const spec = { warmup: { type: 'until-train-error', window: 2, maxSteps: 10 } };
    const a = make(spec);
    a.observe(0, 0.9);
    const b = new LearningRateSchedule(resolveTrainingSpec(TrainingSpec.parse(spec)), 100, 64_000, a.state());
    a.observe(1, 0.6);
    b.observe(1, 0.6);
    expect(b.state()).toEqual(a.state());
    expect(b.rate(2)).toBe(a.rate(2));
    const stuck = make(spec);
    for (let step = 0; step < 10; step++) stuck.observe(step, 1);
    expect(stuck.rate(10)).toBe(0.1);
  });
});
