import { describe, expect, it } from 'vitest';
import { BACKEND_CANDIDATES } from '@resnet-lab/trainer';
import { loadWorkerEnv, WorkerEnv } from './env';

describe('worker env', () => {
  it('accepts exactly the trainer backends (and auto)', () => {
    expect([...WorkerEnv.TRAINER_BACKEND.unwrap().options].sort()).toEqual(['auto', ...BACKEND_CANDIDATES].sort());
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadWorkerEnv({ WORKER_GPUS: '0;1', TRAINER_BACKEND: 'gpu' })).toThrow(
      /WORKER_GPUS[\s\S]*TRAINER_BACKEND|TRAINER_BACKEND[\s\S]*WORKER_GPUS/,
    );
  });

  it('reads DATASET_ROOTS as a colon-separated list of absolute directories, the Debian one by default', () => {
    expect(loadWorkerEnv({}).DATASET_ROOTS).toEqual(['/usr/share/datasets']);
    expect(loadWorkerEnv({ DATASET_ROOTS: '/data/cifar/:/srv//sets' }).DATASET_ROOTS).toEqual([
      '/data/cifar',
      '/srv/sets',
    ]);
    expect(() => loadWorkerEnv({ DATASET_ROOTS: '/data:relative' })).toThrow(/DATASET_ROOTS/);
    expect(() => loadWorkerEnv({ DATASET_ROOTS: '/data/../etc' })).toThrow(/DATASET_ROOTS/);
    expect(loadWorkerEnv({}).DATASET_MAX_FILE_MB).toBe(1024);
  });
});
