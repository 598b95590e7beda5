import {
  DEFAULT_PROJECT,
  EXPERIMENT_TRANSITIONS,
  IllegalTransitionError,
  type ExperimentEvent,
  type ExperimentSpec,
} from '@resnet-lab/spec';
import type { Db } from '../client';
import { LeaseLostError, NotFoundError } from '../errors';
import type { Experiment, ExperimentStatus, Prisma } from '../generated/client';
import { pageQuery, toPage } from './cursor-page';
import { sourceReady } from './dependency-sql';

export type { Experiment, ExperimentStatus };

export interface ListExperimentsQuery {
  status?: ExperimentStatus;
  limit: number;
  /** Id of the last experiment of the previous page (newest first). */
  cursor?: string;
}

/** A finished run as the cost estimate sees it (see throughputSamples). */
export interface ThroughputSampleRow {
  spec: unknown;
  imagesPerSecond: number;
  evaluationImagesPerSecond: number | null;
  startupSeconds: number | null;
}

/** One attempt's right to write: the experiment's `attempts` when the attempt claimed it. */
export interface Lease {
  experimentId: string;
  lease: number;
}

/** The outbox entry of a single experiment: no priority (it runs before every grid's jobs). */
const SINGLE_EXPERIMENT_OUTBOX = { priority: null };

function fromStatuses(event: ExperimentEvent): ExperimentStatus[] {
  return [...EXPERIMENT_TRANSITIONS[event].from];
}

export function experimentRepository(db: Db) {
  /** The project the experiment belongs to; null when there is no such experiment. */
  async function projectOf(id: string): Promise<string | null> {
    const row = await db.experiment.findUnique({ where: { id }, select: { project: true } });
    return row?.project ?? null;
  }

  /** Explains a refused conditional update: missing row, another state, or a lost lease. */
  async function refusal(id: string, event: ExperimentEvent, lease?: number): Promise<Error> {
    const row = await db.experiment.findUnique({ where: { id }, select: { status: true, attempts: true } });
    if (!row) return lease === undefined ? new NotFoundError('experiment', id) : new LeaseLostError(id, lease, null);
    if (lease !== undefined && (row.attempts !== lease || row.status !== 'running')) {
      return new LeaseLostError(id, lease, row);
    }
    return new IllegalTransitionError('experiment', id, event, row.status);
  }

  /**
   * Moves an experiment along `event` of the transition table, and only from the states it allows;
   * with a lease, only while that attempt holds it. Throws IllegalTransitionError, LeaseLostError
   * or NotFoundError instead of changing nothing silently.
   */
  async function transition(
    id: string,
    event: ExperimentEvent,
    options: { lease?: number; data?: Prisma.ExperimentUpdateManyMutationInput } = {},
  ): Promise<void> {
    const { count } = await db.experiment.updateMany({
      where: {
        id,
        status: { in: fromStatuses(event) },
        ...(options.lease === undefined ? {} : { attempts: options.lease }),
      },
      data: { ...options.data, status: EXPERIMENT_TRANSITIONS[event].to },
    });
    if (count !== 1) throw await refusal(id, event, options.lease);
  }

  return {
    transition,

    /**
     * Stores the experiment and its outbox entry in one transaction: once this returns the
     * submission cannot be lost, whatever happens to the process or Redis afterwards.
     */
    async createWithOutbox(spec: ExperimentSpec, specHash: string, project = DEFAULT_PROJECT): Promise<Experiment> {
      return db.$transaction(async (tx) => {
        const experiment = await tx.experiment.create({
          // A parsed spec is plain JSON; its type says `unknown` only for a grid point selector's values.
          data: { spec: spec as Prisma.InputJsonValue, specHash, project },
        });
        await tx.outboxEntry.create({
          data: { experimentId: experiment.id, kind: 'train', payload: SINGLE_EXPERIMENT_OUTBOX },
        });
        return experiment;
      });
    },

    get(id: string): Promise<Experiment | null> {
      return db.experiment.findUnique({ where: { id } });
    },

    /** The experiments among `ids` (of `project` only, when given). */
    findMany(ids: string[], project?: string): Promise<Experiment[]> {
      return db.experiment.findMany({ where: { id: { in: ids }, ...(project ? { project } : {}) } });
    },

    projectOf,

    /** The backend of the newest succeeded experiment: what the next one most likely runs on. */
    async newestBackend(): Promise<string | null> {
      const newest = await db.experiment.findFirst({
        where: { status: 'succeeded', backend: { not: null } },
        orderBy: { finishedAt: 'desc' },
        select: { backend: true },
      });
      return newest?.backend ?? null;
    },

    /**
     * Spec, final training images/s and validation images/s (null where the run held no validation
     * set) of the newest succeeded experiments on `backend`, and the seconds each spent outside its
     * epochs (claim, trainer start, data loading, model build, the last writes, and whatever
     * checkpoint and database writes did not overlap the next epoch): its wall time less the sum of
     * its epochs' seconds. Null for runs that took more than one attempt, whose wall time includes
     * waiting in the queue between attempts.
     */
    throughputSamples(backend: string, limit: number): Promise<ThroughputSampleRow[]> {
      return db.$queryRaw`
        SELECT e.spec, s."lastValue" AS "imagesPerSecond", v."lastValue" AS "evaluationImagesPerSecond",
          CASE WHEN e.attempts = 1 THEN
            extract(epoch FROM e."finishedAt" - e."startedAt")::float8
            - (SELECT coalesce(sum(m.value), 0) FROM "Metric" m
               WHERE m."experimentId" = e.id AND m.split = 'train' AND m.name = 'epoch_seconds')
          END AS "startupSeconds"
        FROM "Experiment" e
        JOIN "MetricSummary" s ON s."experimentId" = e.id AND s.split = 'train' AND s.name = 'images_per_second'
        LEFT JOIN "MetricSummary" v
          ON v."experimentId" = e.id AND v.split = 'validation' AND v.name = 'images_per_second'
        WHERE e.status = 'succeeded' AND e.backend = ${backend}
        ORDER BY e."finishedAt" DESC NULLS LAST LIMIT ${limit}`;
    },

    /** A page of experiments, newest first; of `project` only when given (else of every project). */
    async list(
      query: ListExperimentsQuery,
      project?: string,
    ): Promise<{ items: Experiment[]; nextCursor: string | null }> {
      // Another project's id as the cursor pages like an id that does not exist: nothing.
      if (project && query.cursor && (await projectOf(query.cursor)) !== project) {
        return { items: [], nextCursor: null };
      }
      const rows = await db.experiment.findMany({
        where: { ...(query.status ? { status: query.status } : {}), ...(project ? { project } : {}) },
        ...pageQuery(query.limit, query.cursor),
      });
      return toPage(rows, query.limit);
    },

    /**
     * Claims the experiment for a new attempt and returns its lease, or null when it must not run
     * (cancelled, finished, its grid not active, or its warm-start source not finished): a duplicate
     * delivery then does nothing. A `running` row is claimed too: the queue redelivers a job only
     * after its worker lost the lock, and the new lease fences the old attempt out.
     */
    async claim(id: string, worker: string): Promise<{ experiment: Experiment; lease: Lease } | null> {
      const rows = await db.$queryRaw<{ attempts: number }[]>`
        UPDATE "Experiment" e SET status = 'running', attempts = e.attempts + 1, worker = ${worker},
          "startedAt" = now(), error = NULL, "updatedAt" = now()
        WHERE e.id = ${id}::uuid AND e.status = ANY(${fromStatuses('claim')}::"ExperimentStatus"[])
          AND NOT e."cancelRequested"
          AND (e."gridId" IS NULL OR EXISTS (SELECT 1 FROM "Grid" g WHERE g.id = e."gridId" AND g.status = 'active'))
          AND ${sourceReady('e')}
        RETURNING e.attempts`;
      if (rows.length !== 1) return null;
      const experiment = await db.experiment.findUniqueOrThrow({ where: { id } });
      return { experiment, lease: { experimentId: id, lease: rows[0]!.attempts } };
    },

    /** Records the backend the attempt's trainer chose, and why. */
    async setBackend(l: Lease, backend: string, backendReason: string | null = null): Promise<void> {
      await attemptUpdate(db, l, { backend, backendReason });
    },

    /** Records what a warm start loaded, skipped and froze (the trainer's InitReport). */
    async setInitReport(l: Lease, report: Prisma.InputJsonValue): Promise<void> {
      await attemptUpdate(db, l, { initReport: report });
    },

    async setProgress(l: Lease, progress: Prisma.InputJsonValue): Promise<void> {
      await attemptUpdate(db, l, { progress });
    },

    /**
     * Ends the attempt: succeeded, failed (no retry can help), cancelled (honoured the flag), or
     * stopped (its grid's early-stopping rule ended it).
     */
    async finish(l: Lease, event: 'succeed' | 'fail' | 'stopCancelled' | 'stopEarly', error?: string): Promise<void> {
      await transition(l.experimentId, event, {
        lease: l.lease,
        data: { error: error ?? null, finishedAt: new Date() },
      });
    },

    /** A retryable failure or a hand-back: queued again, the reason visible until the next claim. */
    async requeue(l: Lease, error: string): Promise<void> {
      await transition(l.experimentId, 'requeue', { lease: l.lease, data: { error } });
    },

    /**
     * The queue gave up on the job (attempts or stall limit spent): the row must not stay queued or
     * running behind its back. Nothing happens when it already ended.
     */
    async abandon(id: string, error: string): Promise<void> {
      await db.experiment.updateMany({
        where: { id, status: { in: fromStatuses('abandon') } },
        data: { status: EXPERIMENT_TRANSITIONS.abandon.to, error, finishedAt: new Date() },
      });
    },

    /**
     * Cancels a queued experiment at once (its outbox entry goes with it); a running one gets a flag
     * its worker polls. Returns the experiment after the change. Cancelling a cancelled experiment
     * changes nothing; a succeeded or failed one cannot be cancelled.
     */
    async requestCancel(id: string): Promise<Experiment> {
      return db.$transaction(async (tx) => {
        const current = await tx.experiment.findUnique({ where: { id } });
        if (!current) throw new NotFoundError('experiment', id);
        if (current.status === 'cancelled') return current;
        if (current.status === 'running') {
          return tx.experiment.update({ where: { id }, data: { cancelRequested: true } });
        }
        const { count } = await tx.experiment.updateMany({
          where: { id, status: { in: fromStatuses('cancel') } },
          data: { status: EXPERIMENT_TRANSITIONS.cancel.to, cancelRequested: true, finishedAt: new Date() },
        });
        if (count !== 1) throw new IllegalTransitionError('experiment', id, 'cancel', current.status);
        await tx.outboxEntry.deleteMany({ where: { experimentId: id } });
        return tx.experiment.findUniqueOrThrow({ where: { id } });
      });
    },

    /** Whether the attempt should stop: cancel requested, or its lease gone (another attempt claimed). */
    async attemptState(l: Lease): Promise<'run' | 'cancel' | 'superseded'> {
      const row = await db.experiment.findUnique({
        where: { id: l.experimentId },
        select: { cancelRequested: true, attempts: true, status: true },
      });
      if (!row || row.attempts !== l.lease || row.status !== 'running') return 'superseded';
      return row.cancelRequested ? 'cancel' : 'run';
    },

    /**
     * Queued experiments that may run now (not cancelled, grid active or none, warm-start source
     * finished) and have no outbox entry pending, in id order after `afterId`: what the queue must
     * hold a job for.
     */
    runnableQueued(afterId: string | null, limit: number): Promise<{ id: string }[]> {
      return db.$queryRaw`
        SELECT e.id FROM "Experiment" e
        LEFT JOIN "Grid" g ON g.id = e."gridId"
        WHERE e.status = 'queued' AND NOT e."cancelRequested" AND (e."gridId" IS NULL OR g.status = 'active')
          AND ${sourceReady('e')}
          AND NOT EXISTS (SELECT 1 FROM "OutboxEntry" o WHERE o."experimentId" = e.id)
          AND (${afterId}::uuid IS NULL OR e.id > ${afterId}::uuid)
        ORDER BY e.id LIMIT ${limit}`;
    },

    /** Queues experiments again through the outbox (the relay sends them on its next pass). */
    async addOutboxEntries(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await db.$executeRaw`
        INSERT INTO "OutboxEntry" ("experimentId", kind, payload)
        SELECT e.id, 'train', jsonb_build_object('priority', e.priority)
        FROM "Experiment" e WHERE e.id = ANY(${ids}::uuid[])`;
    },
  };
}

/** An update of the experiment row that only the attempt holding the lease may make. */
async function attemptUpdate(db: Db, l: Lease, data: Prisma.ExperimentUpdateManyMutationInput): Promise<void> {
  const { count } = await db.experiment.updateMany({
    where: { id: l.experimentId, attempts: l.lease, status: 'running' },
    data,
  });
  if (count !== 1) {
    const row = await db.experiment.findUnique({
      where: { id: l.experimentId },
      select: { status: true, attempts: true },
    });
    throw new LeaseLostError(l.experimentId, l.lease, row);
  }
}

export type ExperimentRepository = ReturnType<typeof experimentRepository>;
