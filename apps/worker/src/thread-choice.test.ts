import { describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '@resnet-lab/trainer/checkpoint';
import { checkpointThreadCount, chooseThreads, measureIdleCores, parseProcStat } from './thread-choice';

const stat = (user: number, idle: number) =>
  `cpu  ${user} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 ${user} 0 0 ${idle} 0 0 0 0 0 0\nintr 1\n`;

function checkpoint(threads?: number, numerics?: string): Uint8Array {
  return encodeCheckpoint({
    header: {
      epoch: 1,
      globalStep: 4,
      specHash: 'h',
      backend: 'onednn',
      ...(threads ? { threads } : {}),
      ...(numerics ? { numerics } : {}),
      rng: { order: [1, 2, 3, 4], augment: [1, 2, 3, 4], dropout: [1, 2, 3, 4] },
      schedule: { plateau: null },
      best: null,
    } as never,
    weights: [{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }],
    velocities: [new Float32Array([0, 0])],
    dataOrder: new Uint32Array([1, 0]),
  }).bytes;
}

describe('chooseThreads', () => {
  const auto = { max: 2, auto: true };

  it('takes the idle cores, at least one and at most the slot share', () => {
    expect(chooseThreads(auto, { idleCores: 1.9 })).toMatchObject({ count: 2 });
    expect(chooseThreads(auto, { idleCores: 0.1 })).toEqual({
      count: 1,
      reason: "1 thread of the slot's 2: 0.1 cores idle at start",
    });
    expect(chooseThreads(auto, { idleCores: 1.2 }).count).toBe(1);
    expect(chooseThreads({ max: 4, auto: true }, { idleCores: 7.8 }).count).toBe(4);
  });

  it('keeps a fixed count, and the share when idle cores are unknown', () => {
    expect(chooseThreads({ max: 3, auto: false }, { idleCores: 0 })).toEqual({
      count: 3,
      reason: '3 threads (TRAINER_THREADS)',
    });
    expect(chooseThreads(auto, { idleCores: null }).count).toBe(2);
  });

  it("resumes with the checkpoint's count, whatever the idle cores say", () => {
    expect(chooseThreads(auto, { checkpointThreads: 1, idleCores: 2 })).toEqual({
      count: 1,
      reason: '1 thread, as the checkpoint it resumes from (bit-exact continuation)',
    });
    expect(chooseThreads({ max: 4, auto: false }, { checkpointThreads: 2, idleCores: null }).count).toBe(2);
  });

  it("never takes more than the slot's maximum, and says the resume is not bit-exact then", () => {
    expect(chooseThreads({ max: 1, auto: false }, { checkpointThreads: 8, idleCores: null })).toEqual({
      count: 1,
      reason:
        "1 thread, the slot's most: the checkpoint it resumes from used 8, so the run continues, but not bit for bit",
    });
  });
});

describe('idle cores', () => {
  it('reads idle and total jiffies from the cpu line of /proc/stat', () => {
    expect(parseProcStat('cpu  10 1 2 30 4 0 0 3 0 0\n')).toEqual({ idle: 34, total: 50 });
    expect(parseProcStat('intr 1\n')).toBeNull();
    expect(parseProcStat('cpu  a b c d e\n')).toBeNull();
  });

  it('measures the idle share of all cores over a window', async () => {
    const reads = [stat(100, 100), stat(175, 125)];
    // 75 busy and 25 idle jiffies: a quarter of 2 cores idle.
    expect(await measureIdleCores(2, 1, async () => reads.shift()!)).toBeCloseTo(0.5);
    expect(await measureIdleCores(2, 1, async () => stat(1, 1))).toBeNull();
    expect(
      await measureIdleCores(2, 1, async () => {
        throw new Error('ENOENT');
      }),
    ).toBeNull();
  });

  it.skipIf(process.platform !== 'linux')('reads the real /proc/stat on Linux', async () => {
    const idle = await measureIdleCores(2, 200);
    expect(idle).not.toBeNull();
    expect(idle!).toBeGreaterThanOrEqual(0);
    expect(idle!).toBeLessThanOrEqual(2.05);
  });
});

describe('checkpointThreadCount', () => {
  it("reads older checkpoints' count from their numerics line", () => {
    expect(checkpointThreadCount(checkpoint(undefined, 'onednn: oneDNN 3.5.3, avx2, 2 threads'))).toBe(2);
    expect(checkpointThreadCount(checkpoint(undefined, 'onednn: oneDNN 3.5.3, avx2, 1 thread'))).toBe(1);
  });

  it('reads the thread count from the header, undefined when absent or unreadable', () => {
    expect(checkpointThreadCount(checkpoint(2))).toBe(2);
    expect(checkpointThreadCount(checkpoint())).toBeUndefined();
    expect(checkpointThreadCount(checkpoint(undefined, 'cpu'))).toBeUndefined();
    expect(checkpointThreadCount(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});
