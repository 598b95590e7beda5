import type { ExperimentStatus } from '../../api/types';

/**
 * The API's experiment states, copied from @resnet-lab/spec so that the bundle needs none of its
 * runtime code (zod); the type checks below fail if the two lists drift apart.
 */
export const EXPERIMENT_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'stopped',
] as const satisfies readonly ExperimentStatus[];

type Unlisted = Exclude<ExperimentStatus, (typeof EXPERIMENT_STATUSES)[number]>;
export const EVERY_STATUS_LISTED: [Unlisted] extends [never] ? true : never = true;
