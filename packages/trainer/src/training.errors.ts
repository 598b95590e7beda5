/**
 * A failure the worker must classify: `retryable: false` for a bad spec, bad data or a diverged loss
 * (running again cannot help), true for faults of the machine (out of memory, a backend crash).
 */
export class TrainingError extends Error {
  readonly retryable: boolean;

  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrainingError';
    this.retryable = options.retryable;
  }
}
