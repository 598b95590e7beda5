import { hostname } from 'node:os';
import { z } from 'zod';
import { BACKEND_NAMES, datasetEnv } from '@resnet-lab/spec';
import { databaseEnv, envBoolean, loggingEnv, parseEnv, redisEnv } from '@resnet-lab/config';

/** The worker agent's whole configuration; parsed once at start, fails fast naming bad variables. */
export const WorkerEnv = {
  ...databaseEnv,
  ...redisEnv,
  ...loggingEnv,
  /** DATASET_ROOTS (where dataset dirs may lie) and DATASET_MAX_FILE_MB (largest file read or inflated). */
  ...datasetEnv,
  /** Parallel training jobs on this machine when no GPU list is given (CPU slots). */
  WORKER_SLOTS: z.coerce.number().int().min(1).max(64).default(1),
  /** Comma-separated GPU ids, e.g. "0,1": one slot per GPU, each child sees only its own GPU. */
  WORKER_GPUS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'a comma-separated list of GPU ids such as "0,1"')
    .optional(),
  /**
   * CPU threads of each training job (OpenMP threads of the native engine): a number, or `auto`
   * (default): each attempt takes as many as there are idle cores when it starts, up to the
   * slot's share of the cores (the cores divided among the CPU slots, since two jobs' threads
   * fighting over a core run far slower). See thread-choice.ts.
   */
  TRAINER_THREADS: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(1024)]).default('auto'),
  /**
   * How idle OpenMP threads of a CPU job wait. PASSIVE (sleep) keeps a job far steadier when other
   * processes share the cores and costs about 2% alone (BENCHMARKS.md, "Shared cores"); ACTIVE
   * spins, for a machine that runs nothing else.
   */
  TRAINER_OMP_WAIT_POLICY: z.enum(['PASSIVE', 'ACTIVE']).default('PASSIVE'),
  WORKER_NAME: z.string().min(1).default(`${hostname()}:${process.pid}`),
  /** Force a compute backend (tfjs-node-gpu, tfjs-node, onednn, cpu); default: the fastest that loads. */
  TRAINER_BACKEND: z.enum(['auto', ...BACKEND_NAMES]).optional(),
  /** How often a running job checks whether someone asked to cancel it. */
  CANCEL_POLL_MS: z.coerce.number().int().positive().default(1_000),
  /**
   * How long a job's lock lives without renewal. A worker that dies loses its jobs to another
   * worker after about this long (plus one stalled-check interval of the same length).
   */
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  /**
   * How often the worker writes its heartbeat (GET /v1/workers); it shows as lost once silent for
   * this long plus a grace of 1 to 2 s.
   */
  WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
  /**
   * Each slot trains two small reference networks for a few seconds at start and reports its
   * images/s with the heartbeat, so that cost estimates fit this machine before any run finished.
   */
  WORKER_CALIBRATE: envBoolean.default(true),
  MIGRATE_ON_START: envBoolean.default(true),
};

export type WorkerConfig = ReturnType<typeof loadWorkerEnv>;

export function loadWorkerEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(WorkerEnv, source);
}
