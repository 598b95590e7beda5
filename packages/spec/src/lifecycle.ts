import { z } from 'zod';

/**
 * The one table of allowed status changes. Every write of an experiment's or a grid's status names
 * one of these events; the repositories turn the event's `from` list into the WHERE clause of the
 * update, so a change the table does not allow is refused by the database, not by a hopeful check
 * before it. The API answers a refused change with 409.
 */
export const EXPERIMENT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'stopped'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];
export const ExperimentStatusSchema = z.enum(EXPERIMENT_STATUSES);

/**
 * The states in which an experiment will not run again unless someone retries it. `stopped`: its
 * grid's early-stopping rule ended it, behind its peers; its curves and checkpoints are kept.
 */
export const FINAL_EXPERIMENT_STATUSES = [
  'succeeded',
  'failed',
  'cancelled',
  'stopped',
] as const satisfies ExperimentStatus[];

export function isFinalStatus(status: ExperimentStatus): boolean {
  return (FINAL_EXPERIMENT_STATUSES as readonly ExperimentStatus[]).includes(status);
}

interface Transition<S extends string> {
  readonly from: readonly S[];
  readonly to: S;
}

export const EXPERIMENT_TRANSITIONS = {
  /**
   * A worker takes the experiment for an attempt (a new lease). From `running` too: the queue
   * hands a job to a second worker only once the first lost its lock (died, or cut off), and the
   * new lease fences every later write of the old attempt.
   */
  claim: { from: ['queued', 'running'], to: 'running' },
  /** The attempt trained every epoch. */
  succeed: { from: ['running'], to: 'succeeded' },
  /** The attempt failed in a way no retry can fix (bad spec, diverged loss), or on its last try. */
  fail: { from: ['running'], to: 'failed' },
  /** The attempt stopped and the experiment waits for the next one (a retryable failure, a worker
   * shutting down, a grid paused under it). */
  requeue: { from: ['running'], to: 'queued' },
  /** The queue gave up on the job (attempts or stall limit spent) while the row still waited or ran. */
  abandon: { from: ['queued', 'running'], to: 'failed' },
  /** Cancelled before it started: at once. */
  cancel: { from: ['queued'], to: 'cancelled' },
  /** A running attempt saw the cancel flag and stopped at its next batch. */
  stopCancelled: { from: ['running'], to: 'cancelled' },
  /** Its grid's early-stopping rule decided it is behind its peers; it stopped at its next batch. */
  stopEarly: { from: ['running'], to: 'stopped' },
  /** Queued again by a grid retry (failed) or a resumed cancelled grid (cancelled); it resumes from
   * its newest checkpoint. */
  retry: { from: ['failed', 'cancelled'], to: 'queued' },
} as const satisfies Record<string, Transition<ExperimentStatus>>;
export type ExperimentEvent = keyof typeof EXPERIMENT_TRANSITIONS;

export const GRID_STATUSES = ['active', 'paused', 'cancelled'] as const;
export type GridStatus = (typeof GRID_STATUSES)[number];
export const GridStatusSchema = z.enum(GRID_STATUSES);

export const GRID_TRANSITIONS = {
  /** No new experiment of the grid starts; running ones finish. */
  pause: { from: ['active'], to: 'paused' },
  /** A paused grid runs again; a cancelled one too, its cancelled experiments queued again. */
  resume: { from: ['paused', 'cancelled'], to: 'active' },
  /** Queued experiments are cancelled at once, running ones stop at their next batch. */
  cancel: { from: ['active', 'paused'], to: 'cancelled' },
  /** Failed experiments are queued again; a cancelled grid becomes active for them. */
  retry: { from: ['active', 'paused', 'cancelled'], to: 'active' },
} as const satisfies Record<string, Transition<GridStatus>>;
export type GridEvent = keyof typeof GRID_TRANSITIONS;

/** A status change the table does not allow, from the state the row is really in. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly entity: 'experiment' | 'grid',
    readonly id: string,
    readonly event: string,
    readonly status: string,
  ) {
    super(`cannot ${event} ${entity} ${id}: it is ${status}`);
    this.name = 'IllegalTransitionError';
  }
}

/** The status after `event`, or null when the table does not allow it from `status`. */
export function nextExperimentStatus(status: ExperimentStatus, event: ExperimentEvent): ExperimentStatus | null {
  const t = EXPERIMENT_TRANSITIONS[event];
  return (t.from as readonly ExperimentStatus[]).includes(status) ? t.to : null;
}

export function nextGridStatus(status: GridStatus, event: GridEvent): GridStatus | null {
  const t = GRID_TRANSITIONS[event];
  return (t.from as readonly GridStatus[]).includes(status) ? t.to : null;
}
