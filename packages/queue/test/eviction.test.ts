import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '@resnet-lab/testing';
import { describe, expect, it } from 'vitest';
import { evictionPolicyProblem, evictionProblem } from '../src/index';

describe('Redis eviction policy', () => {
  it('refuses any policy that may evict keys, naming it and the fix', () => {
    expect(evictionProblem('noeviction')).toBeNull();
    for (const policy of ['allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-ttl']) {
      expect(evictionProblem(policy)).toMatch(new RegExp(`'${policy}'.*noeviction`));
    }
  });

  it("reads the running Redis's policy (this machine's is noeviction)", async () => {
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const [, policy] = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
      expect(await evictionPolicyProblem(redis)).toBe(evictionProblem(policy));
    } finally {
      redis.disconnect();
    }
  });
});
