import { randomUUID } from 'node:crypto';
import {
  DEFAULT_PROJECT,
  EXPERIMENT_TRANSITIONS,
  FINAL_EXPERIMENT_STATUSES,
  GRID_TRANSITIONS,
  IllegalTransitionError,
  type EarlyStoppingSpec,
  type ExperimentSpec,
  type GridEvent,
} from '@resnet-lab/spec';
import type { Db } from '../client';
import { NotFoundError } from '../errors';
import type { ExperimentStatus, Grid, GridStatus, Prisma } from '../generated/client';
import { pageQuery, toPage } from './cursor-page';
import { sourceReady } from './dependency-sql';
import { specField } from './spec-sql';

export type { Grid, GridStatus };

export interface NewGridPoint {
  index: number;
  values: Record<string, unknown>;
  groupKey: string;
  spec: ExperimentSpec;
  specHash: string;
  /** A succeeded experiment with the same canonical spec: linked instead of trained again. */
  reuse?: string;
  /** The cost estimator's wall seconds for it, where it could estimate them. */
  predictedSeconds?: number | null;
  /** Its id, when the caller chose it (a dependant's spec names its source's id); else a new one. */
  id?: string;
  /** The experiment whose checkpoint its warm start loads: it is queued once that one finished. */
  waitsFor?: string;
}

export interface NewGrid {
  name?: string;
  preset?: string;
  definition: unknown;
  axes: string[];
  /** API priority 0..1000, higher sooner. */
  priority: number;
  points: NewGridPoint[];
  /** The submitting token's project; its experiments belong to it too. Default: DEFAULT_PROJECT. */
  project?: string;
  /** The early-stopping rule (validated by the API); absent: none. */
  earlyStopping?: EarlyStoppingSpec;
}

export interface GridCountsRow {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  stopped: number;
  reused: number;
  doneEpochs: number;
  allEpochs: number;
  /**
   * Predicted seconds of the queued members and of what running ones have left; null where one of
   * them has no prediction (the sum would be too low).
   */
  remainingSeconds: number | null;
  /** The largest of those per member: no slot count finishes the grid sooner. */
  longestRemainingSeconds: number | null;
  lastUpdate: Date | null;
}

export interface GridMemberRow {
  experimentId: string;
  index: number;
  point: Record<string, unknown>;
  groupKey: string;
  reused: boolean;
  status: ExperimentStatus;
  backend: string | null;
  family: string;
  depth: number;
  predictedSeconds: number | null;
  /** Wall seconds of the last attempt (a claim sets startedAt anew); null until it finished. */
  actualSeconds: number | null;
}

export interface MetricSummaryRow {
  experimentId: string;
  split: string;
  name: string;
  lastEpoch: number;
  lastValue: number;
  minValue: number;
  maxValue: number;
  epochs: number;
}

/** Rows per INSERT statement of a grid (see create). */
const INSERT_CHUNK = 1_000;

function chunks<T>(items: T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function gridRepository(db: Db) {
  /** The project the grid belongs to; null when there is no such grid. */
  async function projectOf(id: string): Promise<string | null> {
    const row = await db.grid.findUnique({ where: { id }, select: { project: true } });
    return row?.project ?? null;
  }

  return {
    /**
     * The newest succeeded experiment per canonical spec hash, among `hashes`, within `project`:
     * another project's results are neither shown nor reused (reusing one would reveal it exists).
     */
    async succeededByHash(hashes: string[], project = DEFAULT_PROJECT): Promise<Map<string, string>> {
      if (hashes.length === 0) return new Map();
      const rows = await db.$queryRaw<{ id: string; specHash: string }[]>`
        SELECT DISTINCT ON ("specHash") id, "specHash" FROM "Experiment"
        WHERE "specHash" = ANY(${hashes}::text[]) AND status = 'succeeded' AND project = ${project}
        ORDER BY "specHash", "finishedAt" DESC NULLS LAST`;
      return new Map(rows.map((r) => [r.specHash, r.id]));
    },

    /**
     * Stores the grid, its new experiments, every membership and one outbox entry per new
     * experiment in one transaction, with set-based INSERTs of up to INSERT_CHUNK rows: a
     * 10,000-point grid is a few dozen statements, and nothing of it is visible (or queued) unless
     * all of it is. Chunks, because preparing one statement with a 10 MB parameter held the API's
     * event loop for over a second.
     */
    async create(input: NewGrid): Promise<{ grid: Grid; created: number; reused: number }> {
      return db.$transaction(
        async (tx) => {
          const grid = await tx.grid.create({
            data: {
              name: input.name ?? null,
              preset: input.preset ?? null,
              definition: input.definition as Prisma.InputJsonValue,
              axes: input.axes,
              priority: input.priority,
              project: input.project ?? DEFAULT_PROJECT,
              ...(input.earlyStopping ? { earlyStopping: input.earlyStopping } : {}),
            },
          });
          const fresh = input.points.filter((p) => !p.reuse).map((p) => ({ ...p, id: p.id ?? randomUUID() }));
          const payload = JSON.stringify({ priority: input.priority });
          for (const chunk of chunks(fresh)) {
            const rows = JSON.stringify(
              chunk.map((p) => ({
                id: p.id,
                spec: p.spec,
                specHash: p.specHash,
                predictedSeconds: p.predictedSeconds ?? null,
                waitsFor: p.waitsFor ?? null,
              })),
            );
            await tx.$executeRaw`
              INSERT INTO "Experiment"
                (id, spec, "specHash", "predictedSeconds", "waitsFor", "gridId", priority, project, "updatedAt")
              SELECT x.id, x.spec, x."specHash", x."predictedSeconds", x."waitsFor", ${grid.id}::uuid,
                     ${input.priority}::int, ${grid.project}, now()
              FROM jsonb_to_recordset(${rows}::jsonb)
                AS x(id uuid, spec jsonb, "specHash" text, "predictedSeconds" float8, "waitsFor" uuid)`;
          }
          // Queued now: every fresh experiment but those waiting for a source that has not finished
          // (one of this grid: its end queues them).
          for (const chunk of chunks(fresh)) {
            await tx.$executeRaw`
              INSERT INTO "OutboxEntry" ("experimentId", kind, payload)
              SELECT e.id, 'train', ${payload}::jsonb
              FROM jsonb_to_recordset(${JSON.stringify(chunk.map((p) => ({ id: p.id })))}::jsonb) AS x(id uuid)
              JOIN "Experiment" e ON e.id = x.id
              WHERE ${sourceReady('e')}`;
          }
          const byIndex = new Map(fresh.map((p) => [p.index, p.id]));
          for (const chunk of chunks(input.points)) {
            const members = JSON.stringify(
              chunk.map((p) => ({
                experimentId: p.reuse ?? byIndex.get(p.index),
                index: p.index,
                point: p.values,
                groupKey: p.groupKey,
                reused: Boolean(p.reuse),
              })),
            );
            // Two points reusing the same experiment (possible only across collapsed duplicates) are one member.
            await tx.$executeRaw`
              INSERT INTO "GridMember" ("gridId", "experimentId", index, point, "groupKey", reused)
              SELECT ${grid.id}::uuid, x."experimentId", x.index, x.point, x."groupKey", x.reused
              FROM jsonb_to_recordset(${members}::jsonb)
                AS x("experimentId" uuid, index int, point jsonb, "groupKey" text, reused boolean)
              ON CONFLICT DO NOTHING`;
          }
          return { grid, created: fresh.length, reused: input.points.length - fresh.length };
        },
        { timeout: 60_000, maxWait: 10_000 },
      );
    },

    get(id: string): Promise<Grid | null> {
      return db.grid.findUnique({ where: { id } });
    },

    projectOf,

    /** A page of grids, newest first; of `project` only when given (else of every project). */
    async list(query: { status?: GridStatus; limit: number; cursor?: string }, project?: string) {
      // Another project's id as the cursor pages like an id that does not exist: nothing.
      if (project && query.cursor && (await projectOf(query.cursor)) !== project) {
        return { items: [], nextCursor: null };
      }
      const rows = await db.grid.findMany({
        where: { ...(query.status ? { status: query.status } : {}), ...(project ? { project } : {}) },
        ...pageQuery(query.limit, query.cursor),
      });
      return toPage(rows, query.limit);
    },

    /**
     * Status counts, epoch progress and the predicted seconds still to go of the members, and when
     * any of them last changed.
     */
    async counts(gridId: string): Promise<GridCountsRow> {
      const [row] = await db.$queryRaw<GridCountsRow[]>`
        SELECT count(*)::int AS total,
          count(*) FILTER (WHERE status = 'queued')::int AS queued,
          count(*) FILTER (WHERE status = 'running')::int AS running,
          count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
          count(*) FILTER (WHERE status = 'failed')::int AS failed,
          count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
          count(*) FILTER (WHERE status = 'stopped')::int AS stopped,
          count(*) FILTER (WHERE reused)::int AS reused,
          -- Whole epochs only: the dashboard refetches results when this changes, not at every step.
          coalesce(sum(floor(done)), 0)::float8 AS "doneEpochs",
          coalesce(sum(epochs), 0)::float8 AS "allEpochs",
          CASE WHEN count(*) FILTER (WHERE "left" > 0 AND "predictedSeconds" IS NULL) = 0
               THEN coalesce(sum("predictedSeconds" * "left"), 0) END::float8 AS "remainingSeconds",
          max("predictedSeconds" * "left")::float8 AS "longestRemainingSeconds",
          max("updatedAt") AS "lastUpdate"
        FROM (
          SELECT m.reused, e.status, e."updatedAt", e."predictedSeconds", x.epochs, x.done,
                 CASE WHEN e.status = 'queued' THEN 1
                      WHEN e.status = 'running' THEN greatest(0, 1 - x.done / x.epochs)
                      ELSE 0 END AS "left"
          FROM "GridMember" m JOIN "Experiment" e ON e.id = m."experimentId",
            LATERAL (SELECT greatest(1, (${specField('e', 'epochs')})::int) AS epochs) n,
            LATERAL (SELECT n.epochs,
              CASE WHEN e.status = ANY(${FINAL_EXPERIMENT_STATUSES}::"ExperimentStatus"[]) THEN n.epochs::float8
                   -- A report within an epoch names the epoch still training and the step reached in it;
                   -- the report at an epoch's end names the epochs finished.
                   WHEN (e.progress->>'stepsPerEpoch')::float8 > 0 THEN least(n.epochs, greatest(0,
                     (e.progress->>'epoch')::float8 - 1
                       + (e.progress->>'step')::float8 / (e.progress->>'stepsPerEpoch')::float8))
                   ELSE least(n.epochs, coalesce((e.progress->>'epoch')::float8, 0)) END AS done) x
          WHERE m."gridId" = ${gridId}::uuid) members`;
      return row!;
    },

    async members(gridId: string): Promise<GridMemberRow[]> {
      return db.$queryRaw<GridMemberRow[]>`
        SELECT m."experimentId", m.index, m.point, m."groupKey", m.reused, e.status::text AS status, e.backend,
               ${specField('e', 'family')} AS family, (${specField('e', 'depth')})::int AS depth,
               e."predictedSeconds", extract(epoch FROM e."finishedAt" - e."startedAt")::float8 AS "actualSeconds"
        FROM "GridMember" m JOIN "Experiment" e ON e.id = m."experimentId"
        WHERE m."gridId" = ${gridId}::uuid ORDER BY m.index`;
    },

    /** Each seed group's first member (its axis values), in expansion order: a few rows per group, not per run. */
    async groupHeads(gridId: string): Promise<{ groupKey: string; point: Record<string, unknown> }[]> {
      return db.$queryRaw<{ groupKey: string; point: Record<string, unknown> }[]>`
        SELECT "groupKey", point FROM (
          SELECT DISTINCT ON ("groupKey") "groupKey", point, index FROM "GridMember"
          WHERE "gridId" = ${gridId}::uuid ORDER BY "groupKey", index) heads
        ORDER BY index`;
    },

    /**
     * One page of members with their experiments, in expansion order, as the JSON text of its
     * items: PostgreSQL builds the document (about 25 ms for 1,000 members with their specs), where
     * loading the rows through Prisma and serialising them cost the API's one thread several times
     * that while a dashboard's other requests waited. The experiment objects are the API's
     * experiment view field for field (apps/api/test/grids.api.test.ts compares the two).
     */
    async memberPageJson(
      gridId: string,
      query: { status?: ExperimentStatus; limit: number; after: number },
    ): Promise<{ itemsJson: string; nextAfter: number | null }> {
      const status = query.status ?? null;
      const [row] = await db.$queryRaw<{ items: string; count: number; last: number | null }[]>`
        WITH page AS (
          SELECT m.index, m.point, m.reused, e.*, row_number() OVER (ORDER BY m.index) AS n
          FROM "GridMember" m JOIN "Experiment" e ON e.id = m."experimentId"
          WHERE m."gridId" = ${gridId}::uuid AND m.index > ${query.after}
            AND (${status}::"ExperimentStatus" IS NULL OR e.status = ${status}::"ExperimentStatus")
          ORDER BY m.index
          LIMIT ${query.limit + 1})
        SELECT coalesce(json_agg(json_build_object(
                 'index', index, 'values', point, 'reused', reused,
                 'experiment', json_build_object(
                   'id', id, 'status', status, 'spec', spec, 'specHash', "specHash", 'attempts', attempts,
                   'backend', backend, 'backendReason', "backendReason", 'worker', worker, 'error', error,
                   'progress', progress, 'cancelRequested', "cancelRequested", 'project', project,
                   'predictedSeconds', "predictedSeconds", 'stoppingDecisions', "stoppingDecisions",
                   'initReport', "initReport", 'waitsFor', "waitsFor",
                   -- ISO 8601 as Date.toISOString writes it (the timestamp(3) columns hold UTC)
                   'createdAt', to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'updatedAt', to_char("updatedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'startedAt', to_char("startedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'finishedAt', to_char("finishedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
                 ORDER BY index) FILTER (WHERE n <= ${query.limit}), '[]')::text AS items,
               count(*)::int AS count,
               max(index) FILTER (WHERE n = ${query.limit}) AS last
        FROM page`;
      return { itemsJson: row!.items, nextAfter: row!.count > query.limit ? row!.last : null };
    },

    /**
     * Members and the final, minimum and maximum of each of their metrics, from the
     * trigger-maintained MetricSummary (a few rows per experiment, never one per epoch). Two flat
     * queries in parallel: measured faster here than one json_agg document, whose float-to-text
     * conversion costs Postgres more than the driver saves.
     */
    async summaryInputs(gridId: string): Promise<{ members: GridMemberRow[]; metrics: MetricSummaryRow[] }> {
      const [members, metrics] = await Promise.all([
        this.members(gridId),
        db.$queryRaw<MetricSummaryRow[]>`
          SELECT s."experimentId", s.split, s.name, s."lastEpoch", s."lastValue", s."minValue", s."maxValue", s.epochs
          FROM "GridMember" m JOIN "MetricSummary" s ON s."experimentId" = m."experimentId"
          WHERE m."gridId" = ${gridId}::uuid`,
      ]);
      return { members, metrics };
    },

    async metricSummariesOf(experimentIds: string[]): Promise<MetricSummaryRow[]> {
      return db.$queryRaw<MetricSummaryRow[]>`
        SELECT "experimentId", split, name, "lastEpoch", "lastValue", "minValue", "maxValue", epochs
        FROM "MetricSummary" WHERE "experimentId" = ANY(${experimentIds}::uuid[])`;
    },

    async curveRows(gridId: string, split: string, name: string) {
      return db.$queryRaw<{ experimentId: string; epoch: number; value: number }[]>`
        SELECT mt."experimentId", mt.epoch, mt.value
        FROM "GridMember" m JOIN "Metric" mt ON mt."experimentId" = m."experimentId"
        WHERE m."gridId" = ${gridId}::uuid AND mt.split = ${split} AND mt.name = ${name}
        ORDER BY mt."experimentId", mt.epoch`;
    },

    /**
     * One metric per group (all axes but the seed) and epoch: mean, sample std (0 for one value) and
     * count over the group's experiments, as the GroupCurve triggers keep them for every metric
     * write, so that a grid of thousands of runs reads hundreds of finished points per group
     * instead of aggregating hundreds of thousands of rows on each request.
     */
    async groupCurveRows(gridId: string, split: string, name: string) {
      return db.$queryRaw<{ groupKey: string; epoch: number; mean: number; std: number; n: number }[]>`
        SELECT "groupKey", epoch, mean, std, n FROM "GroupCurve"
        WHERE "gridId" = ${gridId}::uuid AND split = ${split} AND name = ${name}
        ORDER BY "groupKey", epoch`;
    },

    /** Ids of the grid's own experiments in `status` (reused ones belong to other grids). */
    async ownIds(gridId: string, status: ExperimentStatus): Promise<string[]> {
      const rows = await db.experiment.findMany({ where: { gridId, status }, select: { id: true } });
      return rows.map((r) => r.id);
    },

    /** Stops new starts: the worker refuses to claim an experiment of a paused grid. */
    async pause(gridId: string): Promise<Grid> {
      return db.$transaction((tx) => moveGrid(tx, gridId, 'pause'));
    },

    /**
     * Runs the grid again: its queued experiments (and, for a cancelled grid, its cancelled ones, which
     * resume from their checkpoints) get outbox entries. The caller removes their old jobs first: a job
     * skipped while paused has completed, and BullMQ would collapse a new one with the same id into it.
     */
    async resume(gridId: string): Promise<Grid> {
      return db.$transaction(async (tx) => {
        const before = await tx.grid.findUnique({ where: { id: gridId }, select: { status: true } });
        const grid = await moveGrid(tx, gridId, 'resume');
        if (before?.status === 'cancelled') await retryExperiments(tx, gridId, 'cancelled');
        await failOrphans(tx, gridId);
        await insertOutbox(tx, gridId);
        return grid;
      });
    },

    /**
     * Cancels at once what has not started (returned, so the caller removes the jobs) and flags
     * what is running; the worker polls the flag and stops at the next batch.
     */
    async cancel(gridId: string): Promise<{ grid: Grid; queued: string[] }> {
      return db.$transaction(async (tx) => {
        const grid = await moveGrid(tx, gridId, 'cancel');
        // Running rows first: a worker failing a source locks it and then (through the trigger) its
        // queued dependants; taking them in the same order cannot deadlock with it.
        await tx.experiment.updateMany({ where: { gridId, status: 'running' }, data: { cancelRequested: true } });
        const queued = await tx.$queryRaw<{ id: string }[]>`
          UPDATE "Experiment" SET status = ${EXPERIMENT_TRANSITIONS.cancel.to}::"ExperimentStatus",
            "cancelRequested" = true, "finishedAt" = now(), "updatedAt" = now()
          WHERE "gridId" = ${gridId}::uuid AND status = ANY(${EXPERIMENT_TRANSITIONS.cancel.from}::"ExperimentStatus"[])
          RETURNING id`;
        await tx.$executeRaw`
          DELETE FROM "OutboxEntry" o USING "Experiment" e
          WHERE o."experimentId" = e.id AND e."gridId" = ${gridId}::uuid`;
        return { grid, queued: queued.map((r) => r.id) };
      });
    },

    /** Puts failed experiments back in the queue (the caller removed their failed jobs first). */
    async retry(gridId: string): Promise<Grid> {
      return db.$transaction(async (tx) => {
        const grid = await moveGrid(tx, gridId, 'retry');
        await retryExperiments(tx, gridId, 'failed');
        await failOrphans(tx, gridId);
        await insertOutbox(tx, gridId);
        return grid;
      });
    },

    /** The grid's and its experiments' priority, and that of their pending outbox entries. */
    async setPriority(gridId: string, priority: number): Promise<Grid> {
      return db.$transaction(async (tx) => {
        const grid = await tx.grid.update({ where: { id: gridId }, data: { priority } }).catch(nullWhenMissing);
        if (!grid) throw new NotFoundError('grid', gridId);
        await tx.experiment.updateMany({ where: { gridId }, data: { priority } });
        await tx.$executeRaw`
          UPDATE "OutboxEntry" o SET payload = jsonb_build_object('priority', ${priority}::int)
          FROM "Experiment" e WHERE o."experimentId" = e.id AND e."gridId" = ${gridId}::uuid`;
        return grid;
      });
    },
  };
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Moves the grid along `event` of the transition table. Asking for the state it is already in
 * (pause a paused grid) changes nothing and is no error; a change the table does not allow is.
 */
async function moveGrid(tx: Tx, gridId: string, event: GridEvent): Promise<Grid> {
  const current = await tx.grid.findUnique({ where: { id: gridId } });
  if (!current) throw new NotFoundError('grid', gridId);
  const t = GRID_TRANSITIONS[event];
  if (current.status === t.to && event !== 'retry') return current;
  const { count } = await tx.grid.updateMany({
    where: { id: gridId, status: { in: [...t.from] } },
    data: { status: t.to },
  });
  if (count !== 1) throw new IllegalTransitionError('grid', gridId, event, current.status);
  return tx.grid.findUniqueOrThrow({ where: { id: gridId } });
}

/** The grid's own experiments in `status` (failed or cancelled) back to queued, ready to resume. */
async function retryExperiments(tx: Tx, gridId: string, status: 'failed' | 'cancelled'): Promise<void> {
  await tx.experiment.updateMany({
    where: { gridId, status },
    data: {
      status: EXPERIMENT_TRANSITIONS.retry.to,
      error: null,
      startedAt: null,
      finishedAt: null,
      cancelRequested: false,
    },
  });
}

/**
 * Fails the grid's queued experiments whose warm-start source stays failed or cancelled after a
 * retry or resume (a source cancelled on its own, or one that failed while its grid was
 * cancelled): nothing would ever release them. Their own dependants follow through the trigger.
 */
async function failOrphans(tx: Tx, gridId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Experiment" e SET status = 'failed', "finishedAt" = now(), "updatedAt" = now(),
      error = 'its warm-start source ' || src.id || ' is ' || src.status::text
              || '; retry or resume it, then retry this one'
    FROM "Experiment" src
    WHERE e."gridId" = ${gridId}::uuid AND e.status = 'queued' AND e."waitsFor" = src.id
      AND src.status IN ('failed', 'cancelled')`;
}

/** An outbox entry for every queued experiment of the grid that has none and whose source (if any) finished. */
async function insertOutbox(tx: Tx, gridId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "OutboxEntry" ("experimentId", kind, payload)
    SELECT e.id, 'train', jsonb_build_object('priority', e.priority)
    FROM "Experiment" e
    WHERE e."gridId" = ${gridId}::uuid AND e.status = 'queued' AND ${sourceReady('e')}
      AND NOT EXISTS (SELECT 1 FROM "OutboxEntry" o WHERE o."experimentId" = e.id)`;
}

export type GridRepository = ReturnType<typeof gridRepository>;

/** Prisma's "record to update not found" becomes null (a 404 upstream); any other error stays one. */
function nullWhenMissing(error: unknown): null {
  if ((error as { code?: string }).code === 'P2025') return null;
  throw error;
}
