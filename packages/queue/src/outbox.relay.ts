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
  let stopped = false;

  const flush = (): Promise<number> => {
    // One pass at a time; a caller arriving during a pass waits for it and then runs another,
    // so its own entry (committed before the call) is surely included.
    const previous = running ?? Promise.resolve(0);
    const next = previous
      .catch(() => 0)
      .then(async () => {
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
      });
    running = next;
    void next
      .finally(() => {
        if (running === next) running = null;
      })
      .catch(() => {});
    return next;
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
      await running?.catch(() => {});
    },
  };
}
