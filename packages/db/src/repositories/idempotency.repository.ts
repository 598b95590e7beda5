import { randomUUID } from 'node:crypto';
import type { Db } from '../client';

/** A key's row as another request with the same key finds it. */
export interface IdempotencyRecord {
  route: string;
  requestHash: string;
  /** Null while the first request is still running. */
  status: number | null;
  /** JSON text of the first answer's body; null while it runs. */
  response: string | null;
}

/** What claiming a key gave: the key is ours to run under, or someone else's row. */
export type IdempotencyClaim =
  { claimed: true; owner: string } | { claimed: false; existing: IdempotencyRecord | null };

/** How long a key is remembered: a row older than this is taken over by a new claim, and pruned. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/**
 * Timestamps are taken and compared in SQL as UTC (Prisma's timestamp(3) columns hold UTC), so the
 * API processes' clocks play no part (as in worker.repository.ts).
 */
const NOW = "now() AT TIME ZONE 'UTC'";
const EXPIRED = `"IdempotencyKey"."createdAt" < ${NOW} - make_interval(secs => $5::float8)`;

export function idempotencyRepository(db: Db) {
  /** The key's row as it is now (a plain read: waiting requests poll this, not the claim). */
  const find = async (key: string): Promise<IdempotencyRecord | null> => {
    const rows = await db.$queryRawUnsafe<IdempotencyRecord[]>(
      `SELECT route, "requestHash", status, response FROM "IdempotencyKey" WHERE key = $1`,
      key,
    );
    return rows[0] ?? null;
  };

  return {
    /**
     * Claims `key` for one request with a single insert. The primary key decides races between
     * requests and API processes: exactly one insert wins; the others get the row as it is (or
     * null when it vanished in between: released or pruned, so the caller claims again). An
     * expired row is taken over by the same statement; a concurrent second takeover waits for the
     * first, then sees a fresh row and loses.
     */
    async claim(
      key: string,
      route: string,
      requestHash: string,
      ttlMs = IDEMPOTENCY_TTL_MS,
    ): Promise<IdempotencyClaim> {
      const owner = randomUUID();
      const won = await db.$executeRawUnsafe(
        `INSERT INTO "IdempotencyKey" (key, route, "requestHash", owner, "createdAt")
         VALUES ($1, $2, $3, $4::uuid, ${NOW})
         ON CONFLICT (key) DO UPDATE SET route = EXCLUDED.route, "requestHash" = EXCLUDED."requestHash",
           owner = EXCLUDED.owner, status = NULL, response = NULL, "createdAt" = EXCLUDED."createdAt",
           "completedAt" = NULL
         WHERE ${EXPIRED}`,
        key,
        route,
        requestHash,
        owner,
        ttlMs / 1000,
      );
      if (won === 1) return { claimed: true, owner };
      return { claimed: false, existing: await find(key) };
    },

    find,

    /** Stores the first answer, to be replayed to every later request with the key. */
    async complete(key: string, owner: string, status: number, response: string): Promise<void> {
      await db.$executeRawUnsafe(
        `UPDATE "IdempotencyKey" SET status = $3, response = $4, "completedAt" = ${NOW}
         WHERE key = $1 AND owner = $2::uuid`,
        key,
        owner,
        status,
        response,
      );
    },

    /** Gives the key up after its request failed, so that a retry with it runs afresh. */
    async release(key: string, owner: string): Promise<void> {
      await db.$executeRawUnsafe(`DELETE FROM "IdempotencyKey" WHERE key = $1 AND owner = $2::uuid`, key, owner);
    },

    /** Removes keys older than `olderThanMs` (default 24 h); returns how many. */
    async prune(olderThanMs = IDEMPOTENCY_TTL_MS): Promise<number> {
      return db.$executeRawUnsafe(
        `DELETE FROM "IdempotencyKey" WHERE "createdAt" < ${NOW} - make_interval(secs => $1::float8)`,
        olderThanMs / 1000,
      );
    },
  };
}

export type IdempotencyRepository = ReturnType<typeof idempotencyRepository>;
