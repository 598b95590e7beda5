import type { Db } from '../client';

export interface OutboxItem {
  id: bigint;
  experimentId: string;
  kind: string;
  payload: unknown;
}

export function outboxRepository(db: Db) {
  return {
    /**
     * Hands up to `limit` entries to `deliver` and deletes them once it resolved, all inside one
     * transaction whose row locks (SKIP LOCKED) keep two relays from sending the same entry at
     * once. A crash after delivery but before commit sends the entry again later; the queue
     * collapses the repeat because the job id is the experiment id.
     */
    async drain(deliver: (items: OutboxItem[]) => Promise<void>, limit = 500): Promise<number> {
      return db.$transaction(
        async (tx) => {
          const items = await tx.$queryRaw<OutboxItem[]>`
            SELECT id, "experimentId", kind, payload FROM "OutboxEntry"
            ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
          if (items.length === 0) return 0;
          await deliver(items);
          await tx.outboxEntry.deleteMany({ where: { id: { in: items.map((i) => i.id) } } });
          return items.length;
        },
        { timeout: 30_000 },
      );
    },

    count(): Promise<number> {
      return db.outboxEntry.count();
    },
  };
}

export type OutboxRepository = ReturnType<typeof outboxRepository>;
