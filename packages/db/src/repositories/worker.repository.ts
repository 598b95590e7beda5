import type { Db } from '../client';

/** What a worker process reports about itself at each heartbeat. */
export interface WorkerBeat {
  id: string;
  name: string;
  host: string;
  pid: number;
  heartbeatMs: number;
  /** The worker's slots as it describes them (see apps/worker/src/heartbeat.ts); stored as JSON. */
  slots: unknown;
}

export type WorkerStatus = 'active' | 'lost' | 'stopped';

export interface WorkerRow {
  id: string;
  name: string;
  host: string;
  pid: number;
  heartbeatMs: number;
  slots: unknown;
  startedAt: Date;
  lastHeartbeatAt: Date;
  stoppedAt: Date | null;
  status: WorkerStatus;
  /** Milliseconds since its last heartbeat, by the database's clock (the same clock that stamped it). */
  heartbeatAgeMs: number;
}

/**
 * Timestamps are taken and compared in SQL as UTC (the columns are Prisma's timestamp(3), read back
 * as UTC), so the workers' and the API's clocks play no part.
 */
const NOW = "now() AT TIME ZONE 'UTC'";

/**
 * A worker is lost once it has not beaten for its interval plus this grace: half an interval,
 * at least 1 s (a loaded machine delays a timer or a write a little) and at most 2 s.
 */
export function lostAfterMs(heartbeatMs: number): number {
  return heartbeatMs + Math.min(2_000, Math.max(1_000, heartbeatMs / 2));
}
const LOST_AFTER_SQL = `("heartbeatMs" + LEAST(2000, GREATEST(1000, "heartbeatMs" / 2.0)))`;

export function workerRepository(db: Db) {
  return {
    /**
     * Registers the worker or records its heartbeat (the same upsert: a worker whose row was pruned
     * while it was cut off comes back). A stopped worker's stop is never undone.
     */
    async beat(worker: WorkerBeat): Promise<void> {
      const slots = JSON.stringify(worker.slots);
      await db.$executeRawUnsafe(
        `INSERT INTO "Worker" (id, name, host, pid, "heartbeatMs", slots, "startedAt", "lastHeartbeatAt")
         VALUES ($1::uuid, $2, $3, $4, $5, $6::jsonb, ${NOW}, ${NOW})
         ON CONFLICT (id) DO UPDATE SET slots = EXCLUDED.slots, "heartbeatMs" = EXCLUDED."heartbeatMs",
           "lastHeartbeatAt" = EXCLUDED."lastHeartbeatAt"`,
        worker.id,
        worker.name,
        worker.host,
        worker.pid,
        worker.heartbeatMs,
        slots,
      );
    },

    /** A graceful stop: the worker shows as stopped from now on, with the slots it left (idle). */
    async stop(id: string, slots: unknown): Promise<void> {
      await db.$executeRawUnsafe(
        `UPDATE "Worker" SET "stoppedAt" = ${NOW}, "lastHeartbeatAt" = ${NOW}, slots = $2::jsonb WHERE id = $1::uuid`,
        id,
        JSON.stringify(slots),
      );
    },

    /** Every known worker, active first, then by host and start; status derived from the heartbeat. */
    list(): Promise<WorkerRow[]> {
      return db.$queryRawUnsafe<WorkerRow[]>(
        `SELECT id, name, host, pid, "heartbeatMs", slots, "startedAt", "lastHeartbeatAt", "stoppedAt", status,
                "heartbeatAgeMs"
         FROM (
           SELECT *,
             CASE WHEN "stoppedAt" IS NOT NULL THEN 'stopped'
                  WHEN "lastHeartbeatAt" < ${NOW} - make_interval(secs => ${LOST_AFTER_SQL} / 1000.0) THEN 'lost'
                  ELSE 'active' END AS status,
             GREATEST(0, (EXTRACT(EPOCH FROM (${NOW} - "lastHeartbeatAt")) * 1000))::float8 AS "heartbeatAgeMs"
           FROM "Worker"
         ) w
         ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'lost' THEN 1 ELSE 2 END, host, "startedAt" DESC`,
      );
    },

    /** Removes workers stopped, or silent, for longer than `olderThanMs` (default a day). */
    async prune(olderThanMs = 24 * 3600_000): Promise<number> {
      return db.$executeRawUnsafe(
        `DELETE FROM "Worker"
         WHERE COALESCE("stoppedAt", "lastHeartbeatAt") < ${NOW} - make_interval(secs => $1::float8)`,
        olderThanMs / 1000,
      );
    },
  };
}

export type WorkerRepository = ReturnType<typeof workerRepository>;
