import { describe, expect, it } from 'vitest';
import { calibrateSlot } from '../src/calibration';
import { SlotPool } from '../src/slots';
import { startTrainer } from '../src/trainer-process';

/**
 * A slot's calibration with real trainer children: on tfjs' pure-JS `cpu` backend (well under one
 * ResNet-20 image per second) it measures its own tiny references, and a stop ends it at once.
 */
describe('calibrateSlot', () => {
  const slot = SlotPool.fromConfig({ WORKER_SLOTS: 1, TRAINER_THREADS: 1, TRAINER_OMP_WAIT_POLICY: 'PASSIVE' })
    .slots[0]!;

  it('measures the slow backend on its own small references', async () => {
    const result = await calibrateSlot({ slot, startTrainer, backend: 'cpu', signal: new AbortController().signal });
    expect(result?.backend).toBe('cpu');
    expect(result!.samples.map((s) => s.name)).toEqual([
      'calibration cifar-resnet-8 x0.25',
      'calibration cifar-resnet-8 x0.75',
      'calibration cifar-resnet-20 x0.25',
    ]);
    for (const s of result!.samples) {
      expect(s.imagesPerSecond).toBeGreaterThan(0);
      // Its validation pass, timed apart: evaluation is costed on its own speed.
      expect(s.evaluationImagesPerSecond).toBeGreaterThan(0);
    }
  });

  it('says why when a reference run fails', async () => {
    const run = calibrateSlot({ slot, startTrainer, backend: 'tfjs-node-gpu', signal: new AbortController().signal });
    await expect(run).rejects.toThrow(/calibration run calibration cifar-resnet-8 x0.5 ended failed: .*tfjs-node-gpu/);
  });

  it('gives up without a result when the worker stops', async () => {
    const stop = new AbortController();
    const pending = calibrateSlot({ slot, startTrainer, backend: 'cpu', signal: stop.signal });
    stop.abort();
    expect(await pending).toBeNull();
  });
});
