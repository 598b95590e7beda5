import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ workers need `maxRetriesPerRequest: null` (a blocking command must wait out a Redis
 * restart rather than fail); producers are better off failing fast so that an HTTP request does
 * not hang while Redis is down.
 */
export function createRedisConnection(url: string, role: 'producer' | 'worker'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, connectTimeout: 2_000 };
  return new Redis(url, options);
}

/**
 * Why this Redis must not be used, or null when it may. BullMQ keeps jobs and locks as ordinary
 * keys: under any eviction policy other than `noeviction`, Redis deletes them when memory runs out
 * and jobs vanish without a trace. Null too when the policy cannot be read (a managed Redis that
 * forbids CONFIG, or Redis down at start): nothing is known to be wrong, and the outbox covers an
 * outage.
 */
export async function evictionPolicyProblem(redis: Redis): Promise<string | null> {
  let policy: string | undefined;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch {
    return null;
  }
  return evictionProblem(policy);
}

export function evictionProblem(policy: string | undefined): string | null {
  if (policy === undefined || policy === 'noeviction') return null;
  return (
    `Redis maxmemory-policy is '${policy}': Redis may then evict BullMQ's jobs and locks when memory ` +
    "runs out, losing queued experiments. Set it to 'noeviction' (CONFIG SET maxmemory-policy noeviction, " +
    'or maxmemory-policy noeviction in redis.conf).'
  );
}
