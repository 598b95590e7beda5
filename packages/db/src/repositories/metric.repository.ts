import type { MetricValue } from '@resnet-lab/spec';
import type { Db } from '../client';

export interface MetricRow {
  epoch: number;
  split: string;
  name: string;
  value: number;
}

export function metricRepository(db: Db) {
  return {
    /**
     * Writes one epoch's metrics. A replayed epoch (a job resumed from an earlier checkpoint)
     * overwrites its rows instead of duplicating them: the unique key is
     * (experiment, epoch, split, name).
     */
    async recordEpoch(experimentId: string, epoch: number, metrics: MetricValue[]): Promise<void> {
      if (metrics.length === 0) return;
      await db.$executeRaw`
        INSERT INTO "Metric" ("experimentId", epoch, split, name, value)
        SELECT ${experimentId}::uuid, ${epoch}::int, m.split, m.name, m.value
        FROM unnest(${metrics.map((m) => m.split)}::text[], ${metrics.map((m) => m.name)}::text[],
                    ${metrics.map((m) => m.value)}::float8[]) AS m(split, name, value)
        ON CONFLICT ("experimentId", epoch, split, name) DO UPDATE SET value = EXCLUDED.value`;
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

export type MetricRepository = ReturnType<typeof metricRepository>;
