import type { OutboxItem, OutboxRepository } from '@resnet-lab/db';
import { OutboxPayload } from './job-priority';
import type { TrainQueue } from './train.producer';
import { enqueueTrainingBulk } from './train.producer';

export interface OutboxRelay {
  /** Sends everything pending now; resolves with the number of entries sent. */
  flush(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Moves outbox entries to the queue: on demand right after a submission, and on a timer so that
 * entries left behind by a crash (or written while Redis was down) are sent later.
 */
/**
 * The entry's priority. A payload that does not parse (written by a newer or broken writer) is
 * reported and sent without a priority: the experiment still runs rather than waiting forever.
 */
function payloadPriority(item: OutboxItem, options: { onError: (error: unknown) => void }): number | null {
  const parsed = OutboxPayload.safeParse(item.payload);
  if (parsed.success) return parsed.data.priority;
  options.onError(new Error(`outbox entry ${item.id} of ${item.experimentId}: bad payload: ${parsed.error.message}`));
  return null;
}

export function startOutboxRelay(
  outbox: OutboxRepository,
  queue: TrainQueue,
  options: { intervalMs: number; onError: (error: unknown) => void },
): OutboxRelay {
  let running: Promise<number> | null = null;
  let following: Promise<number> | null = null;
  let stopped = false;

  /** Drains the outbox until it is empty. */
  const pass = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      // One addBulk per batch: a 10,000-experiment grid is 20 round trips, not 10,000.
      const sent = await outbox.drain(async (items) => {
        await enqueueTrainingBulk(
          queue,
          items.map((item) => ({ experimentId: item.experimentId, priority: payloadPriority(item, options) })),
        );
      });
      total += sent;
      if (sent === 0) return total;
    }
  };

  const flush = (): Promise<number> => {
    if (!running) {
      const current = pass();
      running = current;
      void current
        .finally(() => {
          if (running === current) running = null;
        })
        .catch(() => {});
      return current;
    }
    // A pass is under way and may have missed the caller's entry (committed before the call): one
    // more pass after it serves every caller that arrives meanwhile. One, not one per caller: 50
    // clients submitting at once would otherwise wait for 50 passes in a row.
    following ??= running
      .catch(() => 0)
      .then(() => {
        following = null;
        return flush();
      });
    return following;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    flush().catch(options.onError);
  }, options.intervalMs);
  timer.unref();

  return {
    flush,
    async stop() {
      stopped = true;
      clearInterval(timer);
      // The pass under way and the one that may follow it (its callers wait for it).
      while (running || following) await (following ?? running)!.catch(() => {});
    },
  };
}
