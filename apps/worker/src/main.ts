import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createDb, ensureDatabase, migrate, repositories } from '@resnet-lab/db';
import { createLogger } from '@resnet-lab/logger';
import { createRedisConnection, evictionPolicyProblem } from '@resnet-lab/queue';
import { datasetAccessFromEnv } from '@resnet-lab/spec';
import { startAgent, type Agent } from './agent';
import { calibrateSlot } from './calibration';
import { loadWorkerEnv } from './env';
import { SlotBoard, startHeartbeat, type Heartbeat } from './heartbeat';
import { SlotPool } from './slots';
import { startTrainer } from './trainer-process';

const env = loadWorkerEnv();
const logger = createLogger({ name: 'worker', level: env.LOG_LEVEL });

if (env.MIGRATE_ON_START) {
  await ensureDatabase(env.DATABASE_URL);
  await migrate(env.DATABASE_URL, { log: (msg) => logger.info(msg) });
}

// The same refusal as the API's: an evicting Redis loses jobs (see evictionPolicyProblem).
const probe = createRedisConnection(env.REDIS_URL, 'producer');
const evictionProblemNow = await evictionPolicyProblem(probe);
probe.disconnect();
if (evictionProblemNow) {
  logger.fatal(evictionProblemNow);
  process.exit(1);
}

const db = createDb(env.DATABASE_URL);
const slots = SlotPool.fromConfig(env);
const board = new SlotBoard(slots.slots, env.TRAINER_BACKEND);
const repos = repositories(db);
let closing = false;
let heartbeat: Heartbeat | undefined;
let agent: Agent | undefined;
// Registered before taking jobs, so a job never runs on a worker GET /v1/workers does not list.
const workerId = randomUUID();
const stopping = new AbortController();
const startup = (async () => {
  heartbeat = await startHeartbeat({
    workers: repos.workers,
    board,
    id: workerId,
    name: env.WORKER_NAME,
    host: hostname(),
    pid: process.pid,
    intervalMs: env.WORKER_HEARTBEAT_MS,
    logger,
  });
  if (closing) return; // stopped while registering: take no job
  if (env.WORKER_CALIBRATE) await calibrate();
  if (closing) return;
  agent = startAgent({
    redisUrl: env.REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX,
    workerName: env.WORKER_NAME,
    cancelPollMs: env.CANCEL_POLL_MS,
    lockMs: env.WORKER_LOCK_MS,
    datasetAccess: datasetAccessFromEnv(env),
    slots,
    board,
    repos,
    logger,
    ...(env.TRAINER_BACKEND ? { backend: env.TRAINER_BACKEND } : {}),
  });
  logger.info({ worker: env.WORKER_NAME, workerId, slots: slots.slots.map((s) => s.label) }, 'worker ready');
})();

/** Two reference runs take a few seconds on the native engine, about a minute on tfjs' `cpu`. */
const CALIBRATION_TIMEOUT_MS = 180_000;

/**
 * Every slot at once, as they will run: each measures its speed with the others busy beside it.
 * Before taking jobs, so that the measurement is not a job's co-tenant; a few seconds.
 */
async function calibrate(): Promise<void> {
  const started = Date.now();
  await Promise.all(
    slots.slots.map(async (slot) => {
      const result = await calibrateSlot({
        slot,
        startTrainer,
        // A backend that hangs at start must not keep the worker from taking jobs.
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(CALIBRATION_TIMEOUT_MS)]),
        ...(env.TRAINER_BACKEND ? { backend: env.TRAINER_BACKEND } : {}),
      }).catch((err: unknown) => {
        logger.warn({ err, slot: slot.label }, 'calibration failed; estimates rely on finished runs');
        return null;
      });
      if (!result) return;
      board.calibrated(slot, result);
      const rates = result.samples.map((s) => `${s.name}: ${s.imagesPerSecond.toFixed(1)} img/s`);
      logger.info({ slot: slot.label, backend: result.backend, rates }, 'slot calibrated');
    }),
  );
  logger.info({ seconds: (Date.now() - started) / 1000 }, 'calibration done');
}

const shutdown = async (signal: NodeJS.Signals) => {
  if (closing) return;
  closing = true;
  stopping.abort();
  logger.info({ signal }, 'shutting down; running jobs will resume from their last checkpoint');
  // A stop may come while the first heartbeat is in flight (its row already shows the worker as
  // active): wait for it, so that the worker is then marked stopped rather than left to go lost.
  await startup.catch(() => undefined);
  await agent?.close();
  await heartbeat?.stop();
  await db.$disconnect();
  process.exit(0);
};
// Before registering: a signal that came before the handlers would end the process unrecorded.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void shutdown(signal));
}
await startup;
