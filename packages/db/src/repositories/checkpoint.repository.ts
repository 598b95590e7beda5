import type { Db } from '../client';

/** Large checkpoints are stored in pieces of this size (see CheckpointChunk in schema.prisma). */
export const CHECKPOINT_CHUNK_BYTES = 8 * 1024 * 1024;

export interface CheckpointInfo {
  epoch: number;
  sha256: string;
  size: number;
  validationError: number | null;
  createdAt: Date;
}

const infoSelect = { epoch: true, sha256: true, size: true, validationError: true, createdAt: true } as const;

export function checkpointRepository(db: Db) {
  return {
    /** Stores (or replaces, for a replayed epoch) one checkpoint, all chunks in one transaction. */
    async save(
      experimentId: string,
      epoch: number,
      bytes: Uint8Array,
      sha256: string,
      validationError: number | null,
    ): Promise<void> {
      const chunkCount = Math.max(1, Math.ceil(bytes.byteLength / CHECKPOINT_CHUNK_BYTES));
      await db.$transaction(async (tx) => {
        await tx.checkpoint.deleteMany({ where: { experimentId, epoch } });
        const checkpoint = await tx.checkpoint.create({
          data: { experimentId, epoch, sha256, size: bytes.byteLength, chunkCount, validationError },
        });
        for (let index = 0; index < chunkCount; index++) {
          const start = index * CHECKPOINT_CHUNK_BYTES;
          const piece = bytes.subarray(start, Math.min(bytes.byteLength, start + CHECKPOINT_CHUNK_BYTES));
          await tx.checkpointChunk.create({
            data: { checkpointId: checkpoint.id, index, bytes: new Uint8Array(piece) },
          });
        }
      });
    },

    /** Keeps the newest `keepLast` checkpoints and the one with the lowest validation error. */
    async prune(experimentId: string, keepLast: number): Promise<void> {
      const all = await db.checkpoint.findMany({
        where: { experimentId },
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
      if (drop.length > 0) await db.checkpoint.deleteMany({ where: { id: { in: drop } } });
    },

    list(experimentId: string): Promise<CheckpointInfo[]> {
      return db.checkpoint.findMany({ where: { experimentId }, select: infoSelect, orderBy: { epoch: 'asc' } });
    },

    latest(experimentId: string): Promise<CheckpointInfo | null> {
      return db.checkpoint.findFirst({ where: { experimentId }, select: infoSelect, orderBy: { epoch: 'desc' } });
    },

    /** The checkpoint's bytes, reassembled; null when there is no such checkpoint. */
    async read(experimentId: string, epoch: number): Promise<{ info: CheckpointInfo; bytes: Buffer } | null> {
      const checkpoint = await db.checkpoint.findUnique({
        where: { experimentId_epoch: { experimentId, epoch } },
        select: { ...infoSelect, chunks: { orderBy: { index: 'asc' }, select: { bytes: true } } },
      });
      if (!checkpoint) return null;
      const { chunks, ...info } = checkpoint;
      // Views of the chunks, then one copy into the result: a large checkpoint is copied once, not three times.
      return {
        info,
        bytes: Buffer.concat(chunks.map((c) => Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength))),
      };
    },
  };
}

export type CheckpointRepository = ReturnType<typeof checkpointRepository>;
