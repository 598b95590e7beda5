import { createDb, ensureDatabase, migrate, repositories } from '@resnet-lab/db';
import { createLogger } from '@resnet-lab/logger';
import { createRedisConnection, evictionPolicyProblem } from '@resnet-lab/queue';
import { startAgent } from './agent';
import { loadWorkerEnv } from './env';
import { SlotPool } from './slots';

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
const agent = startAgent({
  redisUrl: env.REDIS_URL,
  queuePrefix: env.QUEUE_PREFIX,
  workerName: env.WORKER_NAME,
  cancelPollMs: env.CANCEL_POLL_MS,
  lockMs: env.WORKER_LOCK_MS,
  slots,
  repos: repositories(db),
  logger,
  ...(env.TRAINER_BACKEND ? { backend: env.TRAINER_BACKEND } : {}),
});
logger.info({ worker: env.WORKER_NAME, slots: slots.slots.map((s) => s.label) }, 'worker ready');

let closing = false;
const shutdown = async (signal: NodeJS.Signals) => {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down; running jobs will resume from their last checkpoint');
  await agent.close();
  await db.$disconnect();
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void shutdown(signal));
}
