import { freePort, startProcess, waitForHttp, type RunningProcess } from './processes';

export interface Stack {
  apiUrl: string;
  api: RunningProcess;
  worker: RunningProcess;
  restartApi(): Promise<void>;
  startWorker(extraEnv?: Record<string, string>): RunningProcess;
  stop(): Promise<void>;
}

/** Starts the real API and worker processes against a test database and queue prefix. */
export async function startStack(options: {
  databaseUrl: string;
  queuePrefix: string;
  workerEnv?: Record<string, string>;
  /** Extra environment of the API process (e.g. WEB_ROOT). */
  apiEnv?: Record<string, string>;
  startWorker?: boolean;
}): Promise<Stack> {
  const port = await freePort();
  const common = {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: options.queuePrefix,
  };
  const apiUrl = `http://127.0.0.1:${port}`;
  const launchApi = async () => {
    const api = startProcess('apps/api/src/server.ts', {
      ...common,
      PORT: String(port),
      OUTBOX_INTERVAL_MS: '500',
      // Tests poll hard; the limit has a test of its own (apps/api/test/rate-limit.test.ts).
      RATE_LIMIT_MAX: '0',
      ...options.apiEnv,
    });
    await waitForHttp(`${apiUrl}/readyz`, api);
    return api;
  };
  const launchWorker = (extraEnv: Record<string, string> = {}) =>
    // One training thread: test files run two at a time on the 2-core machines, and oversubscribed
    // OpenMP threads slow the native engine several times over.
    startProcess('apps/worker/src/main.ts', {
      ...common,
      CANCEL_POLL_MS: '300',
      TRAINER_THREADS: '1',
      // Seconds of reference training per start; on in its own test (calibration.e2e.test.ts).
      WORKER_CALIBRATE: '0',
      ...options.workerEnv,
      ...extraEnv,
    });

  const workers: RunningProcess[] = [];
  const stack: Stack = {
    apiUrl,
    api: await launchApi(),
    worker: undefined as unknown as RunningProcess,
    async restartApi() {
      await stack.api.stop();
      stack.api = await launchApi();
    },
    startWorker(extraEnv) {
      stack.worker = launchWorker(extraEnv);
      workers.push(stack.worker);
      return stack.worker;
    },
    async stop() {
      await Promise.all([stack.api.stop(), ...workers.map((w) => w.stop())]);
    },
  };
  if (options.startWorker !== false) stack.startWorker();
  return stack;
}
