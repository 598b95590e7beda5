import { createDb, ensureDatabase, migrate, repositories } from '@resnet-lab/db';
import { createLogger } from '@resnet-lab/logger';
import {
  createRedisConnection,
  createTrainQueue,
  evictionPolicyProblem,
  reconcileQueue,
  startOutboxRelay,
} from '@resnet-lab/queue';
import { datasetAccessFromEnv } from '@resnet-lab/spec';
import { buildApp } from './app';
import { resolveAuthMode, type AuthMode } from './auth/auth-mode';
import { loadApiEnv } from './env';

const env = loadApiEnv();
const logger = createLogger({ name: 'api', level: env.LOG_LEVEL });

if (env.MIGRATE_ON_START) {
  await ensureDatabase(env.DATABASE_URL);
  const result = await migrate(env.DATABASE_URL, { log: (msg) => logger.info(msg) });
  logger.info({ applied: result.applied.length }, 'database migrated');
}

const db = createDb(env.DATABASE_URL);
const repos = repositories(db);
const redis = createRedisConnection(env.REDIS_URL, 'producer');
redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
const evictionProblemNow = await evictionPolicyProblem(redis);
if (evictionProblemNow) {
  logger.fatal(evictionProblemNow);
  process.exit(1);
}
const trainQueue = createTrainQueue(redis, env.QUEUE_PREFIX);
const outbox = startOutboxRelay(repos.outbox, trainQueue, {
  intervalMs: env.OUTBOX_INTERVAL_MS,
  onError: (error) => logger.warn({ err: error }, 'outbox relay pass failed; will retry'),
});
// Entries left behind by a crash of an earlier process go out first; then jobs Redis lost (a
// restart without persistence) are put back, at start and now and then.
await outbox.flush().catch((error) => logger.warn({ err: error }, 'initial outbox flush failed'));
const reconcile = async () => {
  const requeued = await reconcileQueue(repos.experiments, trainQueue);
  if (requeued > 0) {
    logger.warn({ requeued }, 'queued experiments had lost their jobs; queued again');
    await outbox.flush();
  }
};
await reconcile().catch((error) => logger.warn({ err: error }, 'queue reconciliation failed'));
const reconcileTimer = setInterval(
  () => void reconcile().catch((error) => logger.warn({ err: error }, 'queue reconciliation failed')),
  env.RECONCILE_INTERVAL_MS,
);
reconcileTimer.unref();

let authMode: AuthMode;
try {
  authMode = resolveAuthMode(env.HOST, env.AUTH_MODE);
} catch (error) {
  logger.fatal((error as Error).message);
  process.exit(1);
}
logger.info(
  { authMode },
  authMode === 'none' ? 'single-user mode: no tokens (loopback only)' : 'bearer tokens required',
);

const app = await buildApp(
  { db, repos, redis, trainQueue, outbox },
  {
    logger,
    authMode,
    gridMaxExperiments: env.GRID_MAX_EXPERIMENTS,
    sseIntervalMs: env.SSE_INTERVAL_MS,
    rateLimit: { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS },
    corsOrigins: env.CORS_ORIGINS,
    datasetAccess: datasetAccessFromEnv(env),
    ...(env.WORKER_MEMORY_MB ? { workerMemoryBytes: env.WORKER_MEMORY_MB * 2 ** 20 } : {}),
    ...(env.WEB_ROOT ? { webRoot: env.WEB_ROOT } : {}),
  },
);
await app.listen({ host: env.HOST, port: env.PORT });

let closing = false;
const shutdown = async (signal: NodeJS.Signals) => {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down');
  clearInterval(reconcileTimer);
  await app.close();
  await outbox.stop();
  await trainQueue.close();
  await redis.quit().catch(() => redis.disconnect());
  await db.$disconnect();
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void shutdown(signal));
}
