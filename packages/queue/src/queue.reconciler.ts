import type { ExperimentRepository } from '@resnet-lab/db';
import type { TrainQueue } from './train.producer';

const PAGE = 500;

/**
 * Puts back the jobs Redis lost. The outbox guarantees that every submission reaches the queue
 * once; if Redis then loses its data (a restart without persistence, a flush), queued experiments
 * would wait forever. This pass finds queued, runnable experiments whose job is unknown to BullMQ
 * and queues them again through the outbox. Returns how many it queued again.
 */
export async function reconcileQueue(experiments: ExperimentRepository, queue: TrainQueue): Promise<number> {
  let after: string | null = null;
  let requeued = 0;
  for (;;) {
    const rows = await experiments.runnableQueued(after, PAGE);
    if (rows.length === 0) return requeued;
    const states = await Promise.all(rows.map((r) => queue.getJobState(r.id)));
    const missing = rows.filter((_, i) => states[i] === 'unknown');
    await experiments.addOutboxEntries(missing.map((r) => r.id));
    requeued += missing.length;
    after = rows[rows.length - 1]!.id;
  }
}
