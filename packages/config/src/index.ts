import { z } from 'zod';

/**
 * Env fragments shared by the apps. Each app composes its own schema from these in its env.ts and
 * parses process.env exactly once at start, failing fast with every bad variable named.
 */
export const databaseEnv = {
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/resnet_lab'),
};

export const redisEnv = {
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Key prefix for every BullMQ key; tests give each file its own. */
  QUEUE_PREFIX: z.string().min(1).default('resnet-lab'),
};

export const loggingEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export class EnvError extends Error {}

export function parseEnv<T extends z.ZodRawShape>(
  shape: T,
  source: Record<string, string | undefined>,
): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** "true"/"1"/"yes" style booleans; z.coerce.boolean() would read "false" as true. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
