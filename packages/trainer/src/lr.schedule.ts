import type { ResolvedTrainingSpec } from '@resnet-lab/spec';

export interface ScheduleState {
  warmupDone: boolean;
  /** Training error of the most recent iterations, for the until-train-error warm-up. */
  recentErrors: number[];
}

/**
 * The learning rate of each iteration. Stateful only for the until-train-error warm-up, whose state
 * goes into checkpoints so that a resumed run switches at the same iteration.
 */
export class LearningRateSchedule {
  private warmupDone: boolean;
  private recentErrors: number[];

  constructor(
    private readonly t: Pick<ResolvedTrainingSpec, 'learningRate' | 'schedule' | 'warmup'>,
    private readonly stepsPerEpoch: number,
    private readonly totalSteps: number,
    state?: ScheduleState,
  ) {
    this.warmupDone = state?.warmupDone ?? t.warmup.type === 'none';
    this.recentErrors = state ? [...state.recentErrors] : [];
  }

  /** The scheduled rate, without warm-up, of 0-based iteration `step`. */
  baseRate(step: number): number {
    const { learningRate: lr, schedule: s } = this.t;
    switch (s.type) {
      case 'constant':
        return lr;
      case 'step': {
        const perUnit = s.unit === 'epoch' ? this.stepsPerEpoch : 1;
        const passed = s.milestones.filter((m) => step >= m * perUnit).length;
        return lr * s.gamma ** passed;
      }
      case 'cosine': {
        const progress = Math.min(1, step / Math.max(1, this.totalSteps));
        return s.minLearningRate + ((lr - s.minLearningRate) * (1 + Math.cos(Math.PI * progress))) / 2;
      }
    }
  }

  /** The rate to use for 0-based iteration `step`. */
  rate(step: number): number {
    const w = this.t.warmup;
    switch (w.type) {
      case 'none':
        return this.baseRate(step);
      case 'fixed':
        if (step >= w.steps) return this.baseRate(step);
        return w.ramp === 'constant'
          ? w.learningRate
          : w.learningRate + ((this.baseRate(step) - w.learningRate) * step) / w.steps;
      case 'until-train-error':
        return this.warmupDone ? this.baseRate(step) : w.learningRate;
    }
  }

  /** Called after iteration `step` with its training error (fraction of the batch misclassified). */
  observe(step: number, trainError: number): void {
    const w = this.t.warmup;
    if (w.type !== 'until-train-error' || this.warmupDone) return;
    this.recentErrors.push(trainError);
    if (this.recentErrors.length > w.window) this.recentErrors.shift();
    const mean = this.recentErrors.reduce((a, b) => a + b, 0) / this.recentErrors.length;
    if ((this.recentErrors.length === w.window && mean < w.below) || step + 1 >= w.maxSteps) {
      this.warmupDone = true;
      this.recentErrors = [];
    }
  }

  state(): ScheduleState {
    return { warmupDone: this.warmupDone, recentErrors: [...this.recentErrors] };
  }
}
