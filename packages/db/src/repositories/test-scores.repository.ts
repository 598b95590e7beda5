import type { Db } from '../client';
import { LeaseLostError } from '../errors';
import type { Lease } from './experiment.repository';
import { currentOf } from './metric.repository';

export interface StoredTestScores {
  experimentId: string;
  epoch: number;
  classes: number;
  labels: Int32Array;
  /** count x classes softmax scores. */
  probabilities: Float32Array;
}

export function testScoresRepository(db: Db) {
  return {
    /**
     * Stores the attempt's last-epoch test scores (bytes as the trainer sent them), replacing an
     * earlier attempt's; only the attempt holding `lease` may write.
     */
    async save(
      l: Lease,
      epoch: number,
      scores: { classes: number; labels: Uint8Array; probabilities: Uint8Array },
    ): Promise<void> {
      const count = scores.labels.byteLength / 4;
      const labels = Buffer.from(scores.labels.buffer, scores.labels.byteOffset, scores.labels.byteLength);
      const probabilities = Buffer.from(
        scores.probabilities.buffer,
        scores.probabilities.byteOffset,
        scores.probabilities.byteLength,
      );
      const written = await db.$executeRaw`
        WITH owner AS (
          SELECT id FROM "Experiment"
          WHERE id = ${l.experimentId}::uuid AND attempts = ${l.lease} AND status = 'running'
          FOR SHARE
        )
        INSERT INTO "TestScores" ("experimentId", epoch, classes, count, labels, probabilities, lease)
        SELECT owner.id, ${epoch}::int, ${scores.classes}::int, ${count}::int, ${labels}, ${probabilities},
               ${l.lease}::int
        FROM owner
        ON CONFLICT ("experimentId") DO UPDATE SET epoch = EXCLUDED.epoch, classes = EXCLUDED.classes,
          count = EXCLUDED.count, labels = EXCLUDED.labels, probabilities = EXCLUDED.probabilities,
          lease = EXCLUDED.lease, "createdAt" = now()`;
      if (written === 0) throw new LeaseLostError(l.experimentId, l.lease, await currentOf(db, l.experimentId));
    },

    /**
     * Drops scores taken after `epoch`: an attempt resuming from that epoch's checkpoint trains the
     * later epochs again, and a dead attempt's scores must not stand for it. Lease holder only.
     */
    async removeAfter(l: Lease, epoch: number): Promise<number> {
      return db.$transaction(async (tx) => {
        const owner = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Experiment"
          WHERE id = ${l.experimentId}::uuid AND attempts = ${l.lease} AND status = 'running' FOR UPDATE`;
        if (owner.length === 0) throw new LeaseLostError(l.experimentId, l.lease, await currentOf(tx, l.experimentId));
        return tx.$executeRaw`
          DELETE FROM "TestScores" WHERE "experimentId" = ${l.experimentId}::uuid AND epoch > ${epoch}`;
      });
    },

    /** Sizes (images x classes) of the stored scores of these experiments, without reading them. */
    async sizes(experimentIds: string[]): Promise<Map<string, number>> {
      const rows = await db.testScores.findMany({
        where: { experimentId: { in: experimentIds } },
        select: { experimentId: true, count: true, classes: true },
      });
      return new Map(rows.map((r) => [r.experimentId, r.count * r.classes]));
    },

    /** The stored scores of these experiments (those that have some). */
    async of(experimentIds: string[]): Promise<StoredTestScores[]> {
      const rows = await db.testScores.findMany({ where: { experimentId: { in: experimentIds } } });
      return rows.map((r) => ({
        experimentId: r.experimentId,
        epoch: r.epoch,
        classes: r.classes,
        labels: new Int32Array(copy(r.labels), 0, r.count),
        probabilities: new Float32Array(copy(r.probabilities), 0, r.count * r.classes),
      }));
    },
  };
}

/** An aligned copy: typed arrays over a Buffer need its offset to be a multiple of their size. */
function copy(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

export type TestScoresRepository = ReturnType<typeof testScoresRepository>;
