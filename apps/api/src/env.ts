import { z } from 'zod';
import { databaseEnv, envBoolean, loggingEnv, parseEnv, redisEnv } from '@resnet-lab/config';
import { datasetEnv } from '@resnet-lab/spec';

/** The API's whole configuration; parsed once at start, fails fast naming each bad variable. */
export const ApiEnv = {
  ...databaseEnv,
  ...redisEnv,
  ...loggingEnv,
  /**
   * DATASET_ROOTS: a dataset `dir` outside them is refused at submit (400 naming dataset.dir);
   * DATASET_MAX_FILE_MB bounds what the activations view reads.
   */
  ...datasetEnv,
  HOST: z.string().default('127.0.0.1'),
  /** tokens | none; default: none on a loopback HOST, tokens otherwise (none is refused off loopback). */
  AUTH_MODE: z.enum(['tokens', 'none']).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Apply pending migrations at start (the same ones `npm run db:migrate` applies). */
  MIGRATE_ON_START: envBoolean.default(true),
  OUTBOX_INTERVAL_MS: z.coerce.number().int().positive().default(2_000),
  /** How often queued experiments are checked against Redis and re-queued if their job is gone. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(300_000),
  /** Most distinct experiments one grid may hold; a bigger grid is refused with a 400. */
  GRID_MAX_EXPERIMENTS: z.coerce.number().int().positive().default(20_000),
  /**
   * Memory of one training job on a worker, in MiB; specs whose training needs more are refused
   * at submit. Default: this machine's memory (API and workers on one host).
   */
  WORKER_MEMORY_MB: z.coerce.number().int().positive().optional(),
  /** How often an SSE stream re-reads Postgres. */
  SSE_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
  /**
   * Comma-separated web origins (e.g. https://lab.example.org) besides the API's own that may call
   * it from a browser; a state-changing request from any other origin is refused (403).
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url())),
  /** Requests one client (IP) may make per RATE_LIMIT_WINDOW_MS; more get a 429. 0: no limit. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(0).default(1_200),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  /** The built dashboard to serve at /; default apps/web/build (a test serves a build of its own). */
  WEB_ROOT: z.string().min(1).optional(),
};

export type ApiConfig = ReturnType<typeof loadApiEnv>;

export function loadApiEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(ApiEnv, source);
}
