import { afterEach, describe, expect, it } from 'vitest';
import { PoolBusyError, PoolTimeoutError, ThreadPool } from '../src/services/thread-pool';

const entry = new URL('./fixtures/echo-thread.ts', import.meta.url);
const pools: ThreadPool[] = [];
const pool = (o: Partial<ConstructorParameters<typeof ThreadPool>[0]> = {}) => {
  const p = new ThreadPool({ entry, size: 1, maxQueued: 2, timeoutMs: 30_000, idleMs: 60_000, ...o });
  pools.push(p);
  return p;
};

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('ThreadPool', () => {
  it('runs jobs on a thread in order and passes errors back as the cause', async () => {
    const p = pool();
    const answers = await Promise.all([1, 2, 3].map((n) => p.run<{ echo: number }>({ echo: n })));
    expect(answers.map((a) => a.echo)).toEqual([1, 2, 3]);
    await expect(p.run({ fail: 'nope' })).rejects.toMatchObject({ cause: { kind: 'failed', message: 'nope' } });
  });

  it('refuses a job when the thread is busy and the queue is full, but never a follow-up', async () => {
    const p = pool({ maxQueued: 1 });
    const running = p.run({ echo: 'a', spinMs: 1_500 });
    const queued = p.run({ echo: 'b' });
    await expect(p.run({ echo: 'c' })).rejects.toBeInstanceOf(PoolBusyError);
    const followUp = p.run<{ echo: string }>({ echo: 'd' }, { followUp: true });
    expect(p.load).toMatchObject({ queued: 2 });
    // The follow-up went to the front of the queue.
    const order: string[] = [];
    await Promise.all([queued, followUp].map((x) => x.then((r) => order.push((r as { echo: string }).echo))));
    await running;
    expect(order).toEqual(['d', 'b']);
  });

  it('terminates a thread that overruns its deadline, and the next job gets a fresh one', async () => {
    // Only the stuck job has a short deadline: starting a fresh thread (tsx compiles the entry) can
    // itself take longer than that on a loaded machine.
    const p = pool();
    await p.run({ echo: 'warm' });
    const stuck = p.run({ spinMs: 60_000 }, { timeoutMs: 500 });
    await expect(stuck).rejects.toBeInstanceOf(PoolTimeoutError);
    await expect(p.run<{ echo: string }>({ echo: 'after' })).resolves.toMatchObject({ echo: 'after' });
  });

  it('ends an idle thread', async () => {
    const p = pool({ idleMs: 100 });
    await p.run({ echo: 1 });
    expect(p.load.threads).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(p.load.threads).toBe(0);
  });
});
