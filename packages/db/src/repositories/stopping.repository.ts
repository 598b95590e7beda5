import type { EarlyStoppingSpec, StoppingDecision } from '@resnet-lab/spec';
import type { Db } from '../client';
import { LeaseLostError } from '../errors';
import type { Lease } from './experiment.repository';
import { currentOf } from './metric.repository';

/** What an early-stopping rule reads and writes: the grid's rule, the peers' values, the decisions. */
export function stoppingRepository(db: Db) {
  return {
    /** The early-stopping rule of the grid that created the experiment; null: none (or no grid). */
    async ruleFor(experimentId: string): Promise<EarlyStoppingSpec | null> {
      const [row] = await db.$queryRaw<{ rule: EarlyStoppingSpec | null }[]>`
        SELECT g."earlyStopping" AS rule
        FROM "Experiment" e JOIN "Grid" g ON g.id = e."gridId"
        WHERE e.id = ${experimentId}::uuid`;
      return row?.rule ?? null;
    },

    /** The experiment's own values of `split.name`, epoch 1 first (NaN where an epoch lacks one). */
    async history(experimentId: string, split: string, name: string, epochs: number): Promise<number[]> {
      const rows = await db.metric.findMany({
        where: { experimentId, split, name, epoch: { lte: epochs } },
        select: { epoch: true, value: true },
      });
      const out = Array<number>(epochs).fill(NaN);
      for (const r of rows) if (r.epoch >= 1) out[r.epoch - 1] = r.value;
      return out;
    },

    /**
     * The values of `split.name` at `epoch` of the other members of the grid that created the
     * experiment; with `finishedOnly`, of those that succeeded (the median rule compares with
     * finished runs only).
     */
    async peerValues(
      experimentId: string,
      q: { epoch: number; split: string; name: string; finishedOnly: boolean },
    ): Promise<number[]> {
      const rows = await db.$queryRaw<{ value: number }[]>`
        SELECT mt.value
        FROM "Experiment" self
        JOIN "GridMember" m ON m."gridId" = self."gridId" AND m."experimentId" <> self.id
        JOIN "Experiment" e ON e.id = m."experimentId"
        JOIN "Metric" mt ON mt."experimentId" = m."experimentId"
        WHERE self.id = ${experimentId}::uuid AND mt.epoch = ${q.epoch}
          AND mt.split = ${q.split} AND mt.name = ${q.name}
          AND (NOT ${q.finishedOnly} OR e.status = 'succeeded')`;
      return rows.map((r) => r.value);
    },

    /**
     * Drops the decisions about epochs after `epoch`: an attempt resuming from that epoch's
     * checkpoint trains them again, and the rule decides about them again.
     */
    async removeAfter(l: Lease, epoch: number): Promise<void> {
      await db.$executeRaw`
        UPDATE "Experiment"
        SET "stoppingDecisions" = (
          SELECT coalesce(jsonb_agg(d ORDER BY n), '[]'::jsonb)
          FROM jsonb_array_elements("stoppingDecisions") WITH ORDINALITY AS x(d, n)
          WHERE (d->>'epoch')::int <= ${epoch})
        WHERE id = ${l.experimentId}::uuid AND attempts = ${l.lease} AND "stoppingDecisions" IS NOT NULL`;
    },

    /** Appends a decision to the experiment's record, only while the attempt holds its lease. */
    async record(l: Lease, decision: StoppingDecision): Promise<void> {
      const written = await db.$executeRaw`
        UPDATE "Experiment"
        SET "stoppingDecisions" = coalesce("stoppingDecisions", '[]'::jsonb) || ${JSON.stringify([decision])}::jsonb
        WHERE id = ${l.experimentId}::uuid AND attempts = ${l.lease} AND status = 'running'`;
      if (written !== 1) throw new LeaseLostError(l.experimentId, l.lease, await currentOf(db, l.experimentId));
    },
  };
}

export type StoppingRepository = ReturnType<typeof stoppingRepository>;
