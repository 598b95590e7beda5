import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, createTestQueuePrefix, type TestDatabase, type TestQueuePrefix } from './index';
import { startStack, type Stack } from './stack';

/** A network and dataset that train in seconds on tfjs' cpu backend: the end-to-end tests' default. */
export const TINY_SPEC = {
  architecture: { family: 'cifar-resnet', depth: 8, widthMultiplier: 0.25 },
  dataset: { name: 'synthetic', trainSize: 96, testSize: 32, imageSize: 8, classes: 4 },
  training: { epochs: 2, batchSize: 32, learningRate: 0.05 },
} as const;

/**
 * A parsed JSON answer. Tests assert on its shape (the API's zod schemas already enforce it), so
 * it is left untyped here rather than repeating every response type.
 */
export type ApiBody = any;

export interface StackFixture {
  readonly stack: Stack;
  readonly database: TestDatabase;
  readonly queue: TestQueuePrefix;
  /** JSON over HTTP to the running API: the status and the parsed body. */
  api: (path: string, init?: { method?: string; body?: unknown }) => Promise<{ status: number; body: ApiBody }>;
  /** The error with the tail of the worker's and the API's output appended, to see why it failed. */
  withLogs: (error: Error) => Error;
}

/**
 * The real API and worker processes against a database and queue prefix of the test file's own,
 * started before its tests and removed after them.
 */
export function useStack(options: { workerEnv?: Record<string, string> } = {}): StackFixture {
  let stack: Stack | undefined;
  let database: TestDatabase | undefined;
  let queue: TestQueuePrefix | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    queue = await createTestQueuePrefix();
    stack = await startStack({
      databaseUrl: database.url,
      queuePrefix: queue.prefix,
      ...(options.workerEnv ? { workerEnv: options.workerEnv } : {}),
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await queue?.cleanup();
    await database?.drop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useStack: the stack is only there inside tests');
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get database() {
      return started(database);
    },
    get queue() {
      return started(queue);
    },
    api: async (path, init) => {
      const res = await fetch(`${started(stack).apiUrl}${path}`, {
        method: init?.method ?? 'GET',
        ...(init?.body !== undefined
          ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
          : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    withLogs: (error) => {
      const s = started(stack);
      const worker = s.worker.output().slice(-4000);
      return new Error(`${error.message}\n--- worker ---\n${worker}\n--- api ---\n${s.api.output().slice(-2000)}`);
    },
  };
}
