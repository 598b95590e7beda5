import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WorkerRow } from '@resnet-lab/db';
import { queueDepth } from '@resnet-lab/queue';
import { WorkerSlot, WorkersResponse, type WorkerView } from '@resnet-lab/spec';
import { z } from 'zod';
import type { AppDeps } from '../deps';

const StoredSlots = z.array(WorkerSlot);

/** The worker processes as their heartbeats describe them, and how many jobs wait for them. */
export const workersRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/workers',
    {
      schema: {
        summary: 'Workers, their slots and the queue depth',
        description:
          'Every known worker process with the job on each of its slots (progress, measured images/s) ' +
          'and its last heartbeat. `status` is `active` while it beats, `lost` once it has been silent for ' +
          'longer than its heartbeat interval plus a grace of 1 to 2 s (killed, hung, cut off), and ' +
          '`stopped` after a graceful stop. Workers stopped or silent for a day are removed. `queue` counts ' +
          'the training jobs waiting, by priority (higher runs sooner; `null`: single experiments, first).',
        tags: ['workers'],
        response: { 200: WorkersResponse },
      },
    },
    async () => {
      const [rows, queue] = await Promise.all([deps.repos.workers.list(), queueDepth(deps.trainQueue)]);
      return { workers: rows.map(toWorkerView), queue };
    },
  );
};

function toWorkerView(row: WorkerRow): WorkerView {
  const parsed = StoredSlots.safeParse(row.slots);
  const slots = parsed.success ? parsed.data : [];
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    pid: row.pid,
    status: row.status,
    heartbeatMs: row.heartbeatMs,
    slotCount: slots.length,
    slots,
    startedAt: row.startedAt.toISOString(),
    lastHeartbeatAt: row.lastHeartbeatAt.toISOString(),
    stoppedAt: row.stoppedAt?.toISOString() ?? null,
    heartbeatAgeMs: Math.round(row.heartbeatAgeMs),
  };
}
