import { GridPriority } from '@resnet-lab/spec';
import { z } from 'zod';

/**
 * The one message that crosses from the API (or the reconciler) to the relay through Postgres:
 * an outbox entry's payload. `priority` is the API's grid priority (higher runs sooner), null for a
 * single experiment, which runs before every grid's jobs.
 */
export const OutboxPayload = z.object({ priority: GridPriority.nullable() });
export type OutboxPayload = z.infer<typeof OutboxPayload>;

/**
 * BullMQ runs priority 1 first and jobs without a priority before all prioritised ones; the API's
 * priority runs higher first. Undefined: add the job without a priority.
 */
export function jobPriority(apiPriority: number | null): number | undefined {
  return apiPriority === null ? undefined : 1001 - apiPriority;
}
