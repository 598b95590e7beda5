import { z } from 'zod';

/**
 * Worker processes as they report themselves by heartbeat (GET /v1/workers). The worker writes a
 * slot's state in this shape and the API reads it back with the same schema.
 */

/** The job a slot is running, as far as the trainer has told its worker. */
export const WorkerSlotJob = z.object({
  experimentId: z.uuid(),
  /** The grid that created the experiment; null for a single experiment or while not yet known. */
  gridId: z.uuid().nullable(),
  /** The epoch being trained (1-based), null before the trainer's first progress report. */
  epoch: z.number().int().nullable(),
  epochs: z.number().int().nullable(),
  step: z.number().int().nullable(),
  stepsPerEpoch: z.number().int().nullable(),
  /** Fraction of the whole run done, 0..1; null while unknown. */
  progress: z.number().min(0).max(1).nullable(),
  /** When this slot took the job (ISO 8601). */
  startedAt: z.string(),
});
export type WorkerSlotJob = z.infer<typeof WorkerSlotJob>;

/**
 * What a slot measured when its worker started: training and evaluation images/s of reference networks on its
 * backend (see apps/worker/src/calibration.ts), for the cost estimate before any run finished.
 */
export const SlotCalibration = z.object({
  backend: z.string(),
  /** ISO 8601. */
  measuredAt: z.string(),
  samples: z.array(
    z.object({
      name: z.string(),
      /**
       * The reference run's ExperimentSpec, as its worker's version wrote it: not validated here, so
       * a worker of another version cannot make the API drop its slots (the estimator parses it).
       */
      spec: z.unknown(),
      imagesPerSecond: z.number().positive(),
      /** Images/s of its validation pass (forward only); absent from workers of earlier versions. */
      evaluationImagesPerSecond: z.number().positive().optional(),
    }),
  ),
});
export type SlotCalibration = z.infer<typeof SlotCalibration>;

export const WorkerSlot = z.object({
  index: z.number().int(),
  /** cpu0, cpu1, … or gpu<id>. */
  label: z.string(),
  /** The compute backend the trainer chose on this slot most recently; null before its first job. */
  backend: z.string().nullable(),
  job: WorkerSlotJob.nullable(),
  /** Training images per second the trainer measured over the job's last finished epoch; null while none. */
  imagesPerSecond: z.number().nullable(),
  /** Null while the slot calibrates, where calibration is off (WORKER_CALIBRATE=0) or failed. */
  calibration: SlotCalibration.nullable().default(null).catch(null),
});
export type WorkerSlot = z.infer<typeof WorkerSlot>;

/** active: beating; lost: silent for longer than its heartbeat interval plus a grace; stopped: shut down. */
export const WorkerStatusSchema = z.enum(['active', 'lost', 'stopped']);

export const WorkerView = z.object({
  id: z.uuid(),
  name: z.string(),
  host: z.string(),
  pid: z.number().int(),
  status: WorkerStatusSchema,
  heartbeatMs: z.number().int(),
  slotCount: z.number().int(),
  slots: z.array(WorkerSlot),
  startedAt: z.string(),
  lastHeartbeatAt: z.string(),
  stoppedAt: z.string().nullable(),
  /** Milliseconds since the last heartbeat when the API answered (by the database's clock). */
  heartbeatAgeMs: z.number(),
});
export type WorkerView = z.infer<typeof WorkerView>;

export const QueueDepth = z.object({
  /** Jobs waiting for a worker (with or without a priority). */
  waiting: z.number().int(),
  /** Jobs waiting out a retry back-off or a hand-back delay. */
  delayed: z.number().int(),
  /** Jobs a worker holds now. */
  active: z.number().int(),
  /**
   * Waiting jobs per API priority (0..1000, higher runs sooner), highest first; `null` is the
   * single experiments', which run before every grid's. Only priorities with waiting jobs.
   */
  byPriority: z.array(z.object({ priority: z.number().int().nullable(), waiting: z.number().int() })),
});
export type QueueDepth = z.infer<typeof QueueDepth>;

export const WorkersResponse = z.object({
  workers: z.array(WorkerView),
  queue: QueueDepth,
});
export type WorkersResponse = z.infer<typeof WorkersResponse>;
