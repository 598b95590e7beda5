import os from 'node:os';
import { createTestDatabase, createTestQueuePrefix } from './index';
import { startStack, type Stack } from './stack';

/**
 * Runs `work` against the real API and one worker slot using every core, on a scratch database
 * and queue prefix that are removed afterwards: for benchmarks and reproductions, which measure
 * the machine rather than share it with a test run.
 */
export async function withScratchStack<T>(name: string, work: (stack: Stack) => Promise<T>): Promise<T> {
  const database = await createTestDatabase(name);
  const queue = await createTestQueuePrefix();
  const stack = await startStack({
    databaseUrl: database.url,
    queuePrefix: queue.prefix,
    // Calibrated: a scratch database has no finished runs, so a budget is planned on the slot's own
    // measurement of this machine rather than the documented constant.
    workerEnv: { LOG_LEVEL: 'warn', TRAINER_THREADS: String(os.availableParallelism()), WORKER_CALIBRATE: '1' },
  });
  try {
    return await work(stack);
  } finally {
    await stack.stop();
    await queue.cleanup();
    await database.drop();
  }
}
