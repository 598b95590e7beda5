import type { QueueDepth } from '@resnet-lab/spec';
import { jobPriority } from './job-priority';
import type { TrainQueue } from './train.producer';

/** Every API priority a grid can have (0..1000); a single experiment's jobs carry none. */
const API_PRIORITIES = Array.from({ length: 1001 }, (_, i) => 1000 - i);

/**
 * Waiting, delayed and active jobs of the train queue, and the waiting ones per API priority.
 * BullMQ counts each of the 1,002 possible priorities with one ZCOUNT inside a single script, which
 * is one round trip however long the queue.
 */
export async function queueDepth(queue: TrainQueue): Promise<QueueDepth> {
  const queuePriorities = [0, ...API_PRIORITIES.map((p) => jobPriority(p)!)];
  const [counts, perPriority] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'paused', 'delayed', 'active'),
    queue.getCountsPerPriority(queuePriorities),
  ]);
  const byPriority: QueueDepth['byPriority'] = [];
  const unprioritised = perPriority['0'] ?? 0;
  if (unprioritised > 0) byPriority.push({ priority: null, waiting: unprioritised });
  for (const priority of API_PRIORITIES) {
    const waiting = perPriority[String(jobPriority(priority))] ?? 0;
    if (waiting > 0) byPriority.push({ priority, waiting });
  }
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0),
    delayed: counts.delayed ?? 0,
    active: counts.active ?? 0,
    byPriority,
  };
}
