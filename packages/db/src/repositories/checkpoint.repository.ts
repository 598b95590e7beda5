import { createHash } from 'node:crypto';
import type { Db } from '../client';
import { LeaseLostError } from '../errors';
import type { Lease } from './experiment.repository';
import { currentOf } from './metric.repository';

/** Large checkpoints are stored in pieces of this size (see CheckpointChunk in schema.prisma). */
export const CHECKPOINT_CHUNK_BYTES = 8 * 1024 * 1024;

export interface CheckpointInfo {
  epoch: number;
  sha256: string;
  size: number;
  validationError: number | null;
  createdAt: Date;
}

/** A stored checkpoint whose bytes do not match what was recorded when it was saved. */
export class CheckpointCorruptError extends Error {
  constructor(
    readonly experimentId: string,
    readonly epoch: number,
    readonly reason: string,
  ) {
    super(`checkpoint of experiment ${experimentId} at epoch ${epoch} is damaged: ${reason}`);
    this.name = 'CheckpointCorruptError';
  }
}

const infoSelect = { epoch: true, sha256: true, size: true, validationError: true, createdAt: true } as const;

function toInfo(row: {
  epoch: number;
  sha256: string;
  size: bigint;
  validationError: number | null;
  createdAt: Date;
}): CheckpointInfo {
  return { ...row, size: Number(row.size) };
}

export function checkpointRepository(db: Db) {
  /** A lease-conditioned statement that wrote no row: the attempt no longer holds the experiment. */
  async function asOwner(l: Lease, rowsWritten: number): Promise<void> {
    if (rowsWritten === 0) throw new LeaseLostError(l.experimentId, l.lease, await currentOf(db, l.experimentId));
  }

  /**
   * Reads a complete checkpoint chunk by chunk (one at a time: the driver would hold a whole result
   * set, as hex text, in the JS heap) and verifies chunk count, size and sha256 on the way.
   */
  async function readChecked(experimentId: string, epoch: number) {
    const row = await db.checkpoint.findFirst({
      where: { experimentId, epoch, complete: true },
      select: { ...infoSelect, id: true, chunkCount: true },
    });
    if (!row) return null;
    const { id, chunkCount, ...info } = row;
    const hash = createHash('sha256');
    const pieces: Buffer[] = [];
    for (let index = 0; index < chunkCount; index++) {
      const chunk = await db.checkpointChunk.findUnique({
        where: { checkpointId_index: { checkpointId: id, index } },
        select: { bytes: true },
      });
      if (!chunk) {
        const stored = await db.checkpointChunk.count({ where: { checkpointId: id } });
        throw new CheckpointCorruptError(experimentId, epoch, `${stored} of ${chunkCount} chunks are stored`);
      }
      const piece = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength);
      hash.update(piece);
      pieces.push(piece);
    }
    const bytes = Buffer.concat(pieces);
    if (bytes.byteLength !== Number(info.size)) {
      throw new CheckpointCorruptError(experimentId, epoch, `${bytes.byteLength} bytes, ${info.size} recorded`);
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== info.sha256) {
      throw new CheckpointCorruptError(experimentId, epoch, `sha256 ${sha256}, ${info.sha256} recorded`);
    }
    return { info: toInfo(info), bytes };
  }

  return {
    /**
     * Stores (or replaces, for a replayed epoch) one checkpoint of the attempt holding `l`. No long
     * transaction: the row is created incomplete, each chunk is one statement, and a final update
     * publishes it. Every statement checks the lease, so a superseded attempt stops at its next
     * chunk; what it left incomplete is never read and is removed by the next save or resume.
     */
    async save(l: Lease, epoch: number, bytes: Uint8Array, sha256: string, validationError: number | null) {
      const { experimentId } = l;
      const chunkCount = Math.max(1, Math.ceil(bytes.byteLength / CHECKPOINT_CHUNK_BYTES));
      const id = await db.$transaction(async (tx) => {
        const owner = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Experiment"
          WHERE id = ${experimentId}::uuid AND attempts = ${l.lease} AND status = 'running' FOR SHARE`;
        if (owner.length === 0) return null;
        await tx.checkpoint.deleteMany({ where: { experimentId, OR: [{ epoch }, { complete: false }] } });
        const created = await tx.checkpoint.create({
          data: { experimentId, epoch, sha256, size: bytes.byteLength, chunkCount, validationError, lease: l.lease },
          select: { id: true },
        });
        return created.id;
      });
      if (id === null) return asOwner(l, 0);
      for (let index = 0; index < chunkCount; index++) {
        const start = index * CHECKPOINT_CHUNK_BYTES;
        const piece = bytes.subarray(start, Math.min(bytes.byteLength, start + CHECKPOINT_CHUNK_BYTES));
        const written = await db.$executeRaw`
          INSERT INTO "CheckpointChunk" ("checkpointId", index, bytes)
          SELECT ${id}, ${index}::int, ${Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)}
          WHERE EXISTS (SELECT 1 FROM "Experiment" WHERE id = ${experimentId}::uuid AND attempts = ${l.lease}
                        AND status = 'running')`;
        await asOwner(l, written);
      }
      const published = await db.$executeRaw`
        UPDATE "Checkpoint" SET complete = true
        WHERE id = ${id} AND EXISTS (SELECT 1 FROM "Experiment" WHERE id = ${experimentId}::uuid
                                     AND attempts = ${l.lease} AND status = 'running' FOR SHARE)`;
      await asOwner(l, published);
    },

    /** Keeps the newest `keepLast` checkpoints and the one with the lowest validation error. */
    async prune(l: Lease, keepLast: number): Promise<void> {
      const all = await db.checkpoint.findMany({
        where: { experimentId: l.experimentId, complete: true },
        select: { id: true, epoch: true, validationError: true },
        orderBy: { epoch: 'desc' },
      });
      const keep = new Set(all.slice(0, keepLast).map((c) => c.id));
      const scored = all.filter((c) => c.validationError !== null);
      if (scored.length > 0) {
        const best = scored.reduce((a, b) => (b.validationError! < a.validationError! ? b : a));
        keep.add(best.id);
      }
      const drop = all.filter((c) => !keep.has(c.id)).map((c) => c.id);
      if (drop.length === 0) return;
      const removed = await db.$executeRaw`
        DELETE FROM "Checkpoint" WHERE id = ANY(${drop}::bigint[])
          AND EXISTS (SELECT 1 FROM "Experiment" WHERE id = ${l.experimentId}::uuid AND attempts = ${l.lease}
                      AND status = 'running')`;
      await asOwner(l, removed);
    },

    /** Removes checkpoints after `epoch` and unfinished ones: a resumed attempt starts from `epoch`. */
    async removeAfter(l: Lease, epoch: number): Promise<void> {
      await db.$transaction(async (tx) => {
        const owner = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Experiment"
          WHERE id = ${l.experimentId}::uuid AND attempts = ${l.lease} AND status = 'running' FOR UPDATE`;
        if (owner.length === 0) throw new LeaseLostError(l.experimentId, l.lease, await currentOf(tx, l.experimentId));
        await tx.checkpoint.deleteMany({
          where: { experimentId: l.experimentId, OR: [{ epoch: { gt: epoch } }, { complete: false }] },
        });
      });
    },

    async list(experimentId: string): Promise<CheckpointInfo[]> {
      const rows = await db.checkpoint.findMany({
        where: { experimentId, complete: true },
        select: infoSelect,
        orderBy: { epoch: 'asc' },
      });
      return rows.map(toInfo);
    },

    async latest(experimentId: string): Promise<CheckpointInfo | null> {
      const row = await db.checkpoint.findFirst({
        where: { experimentId, complete: true },
        select: infoSelect,
        orderBy: { epoch: 'desc' },
      });
      return row && toInfo(row);
    },

    /**
     * The checkpoint's bytes, reassembled and verified (chunk count, size, sha256); null when there
     * is no such checkpoint, CheckpointCorruptError when it does not verify.
     */
    read(experimentId: string, epoch: number): Promise<{ info: CheckpointInfo; bytes: Buffer } | null> {
      return readChecked(experimentId, epoch);
    },

    /**
     * The newest checkpoint that verifies, for a resume: a damaged one is skipped (reported through
     * `onSkip`) and the one before it is used, rather than failing the run.
     */
    async newestValid(
      experimentId: string,
      onSkip: (error: CheckpointCorruptError) => void,
    ): Promise<{ info: CheckpointInfo; bytes: Buffer } | null> {
      const epochs = await db.checkpoint.findMany({
        where: { experimentId, complete: true },
        select: { epoch: true },
        orderBy: { epoch: 'desc' },
      });
      for (const { epoch } of epochs) {
        try {
          const checkpoint = await readChecked(experimentId, epoch);
          if (checkpoint) return checkpoint;
        } catch (error) {
          if (!(error instanceof CheckpointCorruptError)) throw error;
          onSkip(error);
        }
      }
      return null;
    },
  };
}

export type CheckpointRepository = ReturnType<typeof checkpointRepository>;
