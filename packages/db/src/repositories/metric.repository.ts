import type { MetricValue } from '@resnet-lab/spec';
import type { Db } from '../client';
import { LeaseLostError } from '../errors';
import type { Lease } from './experiment.repository';

export interface MetricRow {
  epoch: number;
  split: string;
  name: string;
  value: number;
}

export function metricRepository(db: Db) {
  return {
    /**
     * Writes one epoch's metrics for the attempt holding `lease`. The experiment row is locked (FOR
     * SHARE) in the same statement, so a concurrent claim waits for this write to commit and then
     * removes what it must; once the lease is superseded, nothing is written and LeaseLostError is
     * thrown. A replayed epoch overwrites its rows (unique key: experiment, epoch, split, name).
     */
    async recordEpoch(l: Lease, epoch: number, metrics: MetricValue[]): Promise<void> {
      if (metrics.length === 0) return;
      const written = await db.$executeRaw`
        WITH owner AS (
          SELECT id FROM "Experiment"
          WHERE id = ${l.experimentId}::uuid AND attempts = ${l.lease} AND status = 'running'
          FOR SHARE
        )
        INSERT INTO "Metric" ("experimentId", epoch, split, name, value, lease)
        SELECT owner.id, ${epoch}::int, m.split, m.name, m.value, ${l.lease}::int
        FROM owner, unnest(${metrics.map((m) => m.split)}::text[], ${metrics.map((m) => m.name)}::text[],
                           ${metrics.map((m) => m.value)}::float8[]) AS m(split, name, value)
        ON CONFLICT ("experimentId", epoch, split, name) DO UPDATE SET value = EXCLUDED.value, lease = EXCLUDED.lease`;
      if (written === 0) throw new LeaseLostError(l.experimentId, l.lease, await currentOf(db, l.experimentId));
    },

    /**
     * Removes the metrics of epochs after `epoch`: an attempt that resumes from the checkpoint of
     * `epoch` trains those again, and what a dead attempt recorded past its last checkpoint must not
     * stand beside (or instead of) the new values. Only the lease holder may do this.
     */
    async removeAfter(l: Lease, epoch: number): Promise<number> {
      return db.$transaction(async (tx) => {
        const owner = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Experiment"
          WHERE id = ${l.experimentId}::uuid AND attempts = ${l.lease} AND status = 'running' FOR UPDATE`;
        if (owner.length === 0) throw new LeaseLostError(l.experimentId, l.lease, await currentOf(tx, l.experimentId));
        return tx.$executeRaw`DELETE FROM "Metric" WHERE "experimentId" = ${l.experimentId}::uuid AND epoch > ${epoch}`;
      });
    },

    list(experimentId: string, filter: { split?: string; name?: string } = {}): Promise<MetricRow[]> {
      return db.metric.findMany({
        where: { experimentId, ...filter },
        orderBy: [{ epoch: 'asc' }, { split: 'asc' }, { name: 'asc' }],
        select: { epoch: true, split: true, name: true, value: true },
      });
    },
  };
}

type Reader = Pick<Db, 'experiment'>;

export async function currentOf(db: Reader, id: string): Promise<{ attempts: number; status: string } | null> {
  return db.experiment.findUnique({ where: { id }, select: { attempts: true, status: true } });
}

export type MetricRepository = ReturnType<typeof metricRepository>;
