import { NotFoundError } from '@resnet-lab/db';
import { ModelBuildError } from '@resnet-lab/models';
import { IllegalTransitionError } from '@resnet-lab/spec';

/**
 * The one application error. Its code decides the HTTP status through one table, so a route
 * says what went wrong and never picks a status number itself.
 */
export const ERROR_STATUS = {
  VALIDATION: 400,
  NOT_FOUND: 404,
  /** The transition table does not allow the change from the state the row is in. */
  CONFLICT: 409,
  /** The client holds too much at once (e.g. too many open event streams): close some first. */
  TOO_MANY_REQUESTS: 429,
  /** Busy or overrun (e.g. too many activation requests wait for a compute thread): retry later. */
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
  index?: number;
  values?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors?: FieldError[],
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

/** The domain's own errors (repositories, transition table) as the API's one error type. */
export function fromDomainError(error: unknown): AppError | null {
  if (error instanceof NotFoundError) return notFound(error.entity, error.id);
  if (error instanceof IllegalTransitionError) return new AppError('CONFLICT', error.message);
  if (error instanceof ModelBuildError) {
    return new AppError('VALIDATION', `architecture: ${error.message}`, [
      { field: 'architecture', message: error.message },
    ]);
  }
  return null;
}

export const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `${what} ${id} does not exist`);
