import type { OutboxRelay } from '@resnet-lab/queue';

/** Where a service reports what it could not finish but need not fail for (the request's logger). */
export interface ServiceLog {
  warn(obj: object, msg: string): void;
}

/**
 * Sends committed outbox entries now. A failure only delays the jobs until the relay's next timed
 * pass (the entries are in Postgres), so it is logged, not thrown.
 */
export async function flushOutbox(outbox: OutboxRelay, log: ServiceLog): Promise<void> {
  await outbox.flush().catch((error: unknown) => log.warn({ err: error }, 'outbox flush deferred'));
}
