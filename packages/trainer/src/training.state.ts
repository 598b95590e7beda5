import type { CheckpointContent, DecodedCheckpoint } from './checkpoint.codec';
import type { LearningRateSchedule } from './lr.schedule';
import { SeededRng } from './seeded.rng';

type ScheduleState = ConstructorParameters<typeof LearningRateSchedule>[3];

/**
 * Everything besides the weights and velocities that an exact resume needs: where the run is, the
 * random streams (data order, augmentation, dropout), the next epoch's data order, the schedule's
 * state and the best validation error so far. A checkpoint stores it; a fresh run starts it from
 * the seed.
 */
export class TrainingState {
  private constructor(
    /** Epochs completed. */
    public epoch: number,
    /** Iterations completed since the start of the run. */
    public globalStep: number,
    readonly rng: { order: SeededRng; augment: SeededRng; dropout: SeededRng },
    /** The data order of the epoch to run next. */
    public nextOrder: Uint32Array,
    public best: { epoch: number; validationError: number } | null,
    readonly schedule: ScheduleState | undefined,
  ) {}

  static fresh(seed: number, trainCount: number): TrainingState {
    const order = SeededRng.fromSeed(seed, 'data-order');
    const rng = { order, augment: SeededRng.fromSeed(seed, 'augment'), dropout: SeededRng.fromSeed(seed, 'dropout') };
    return new TrainingState(0, 0, rng, order.permutation(trainCount), null, undefined);
  }

  static fromCheckpoint(ck: DecodedCheckpoint): TrainingState {
    const h = ck.header;
    const rng = {
      order: SeededRng.fromState(h.rng.order),
      augment: SeededRng.fromState(h.rng.augment),
      dropout: SeededRng.fromState(h.rng.dropout),
    };
    return new TrainingState(h.epoch, h.globalStep, rng, ck.dataOrder, h.best, h.schedule);
  }

  /** Ends an epoch: draws the next epoch's order now, so that a checkpoint holds it. */
  finishEpoch(trainCount: number, validationError: number | null): void {
    this.epoch += 1;
    this.nextOrder = this.rng.order.permutation(trainCount);
    if (validationError !== null && (this.best === null || validationError < this.best.validationError)) {
      this.best = { epoch: this.epoch, validationError };
    }
  }

  /** The checkpoint header's share of this state. */
  header(
    schedule: LearningRateSchedule,
  ): Pick<CheckpointContent['header'], 'epoch' | 'globalStep' | 'rng' | 'schedule' | 'best'> {
    return {
      epoch: this.epoch,
      globalStep: this.globalStep,
      rng: { order: this.rng.order.state(), augment: this.rng.augment.state(), dropout: this.rng.dropout.state() },
      schedule: schedule.state(),
      best: this.best,
    };
  }
}
