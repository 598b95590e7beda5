import { ExperimentSpec } from '@resnet-lab/spec';
import { describe, expect, it } from 'vitest';
import { SlotBoard } from './heartbeat';
import { SlotPool } from './slots';

const EXPERIMENT = '6f1c1b9e-0000-4000-8000-000000000001';
const GRID = '6f1c1b9e-0000-4000-8000-000000000002';

describe('SlotBoard', () => {
  it('reports the job on a slot from what the trainer sent, and nothing it did not', () => {
    const [slot] = SlotPool.fromConfig({ WORKER_SLOTS: 2 }, 2).slots;
    const board = new SlotBoard(SlotPool.fromConfig({ WORKER_SLOTS: 2 }, 2).slots, 'auto');
    expect(board.snapshot()[0]).toEqual({
      index: 0,
      label: 'cpu0',
      backend: null,
      job: null,
      imagesPerSecond: null,
      calibration: null,
    });

    board.take(slot!, EXPERIMENT, new Date('2026-12-01T18:00:00Z'));
    board.setGrid(slot!, EXPERIMENT, GRID);
    expect(board.snapshot()[0]!.job).toEqual({
      experimentId: EXPERIMENT,
      gridId: GRID,
      epoch: null,
      epochs: null,
      step: null,
      stepsPerEpoch: null,
      progress: null,
      startedAt: '2026-12-01T18:00:00.000Z',
    });

    board.observe(slot!, EXPERIMENT, 4, { type: 'started', backend: 'onednn' });
    board.observe(slot!, EXPERIMENT, 4, { type: 'progress', epoch: 2, step: 5, stepsPerEpoch: 10, loss: 1 });
    expect(board.snapshot()[0]).toMatchObject({
      backend: 'onednn',
      imagesPerSecond: null,
      job: { epoch: 2, epochs: 4, step: 5, stepsPerEpoch: 10, progress: 0.375 },
    });
    board.observe(slot!, EXPERIMENT, 4, {
      type: 'epoch',
      epoch: 2,
      metrics: [{ split: 'train', name: 'images_per_second', value: 812.5 }],
    });
    expect(board.snapshot()[0]).toMatchObject({ imagesPerSecond: 812.5, job: { epoch: 2, progress: 0.5 } });
    // An event of another job (a late one from before a hand-back) changes nothing.
    board.observe(slot!, 'another', 4, { type: 'started', backend: 'cpu' });
    expect(board.snapshot()[0]!.backend).toBe('onednn');

    board.release(slot!);
    expect(board.snapshot()[0]).toEqual({
      index: 0,
      label: 'cpu0',
      backend: 'onednn',
      job: null,
      imagesPerSecond: null,
      calibration: null,
    });
    expect(board.snapshot()[1]!.job).toBeNull();
  });

  it("keeps a slot's calibration, whose backend it then knows, across jobs", () => {
    const slots = SlotPool.fromConfig({ WORKER_SLOTS: 1 }, 1).slots;
    const board = new SlotBoard(slots, 'auto');
    const calibration = {
      backend: 'onednn',
      measuredAt: '2026-12-03T09:00:00.000Z',
      samples: [{ name: 'reference', spec: ExperimentSpec.parse({}), imagesPerSecond: 410 }],
    };
    board.calibrated(slots[0]!, calibration);
    board.take(slots[0]!, EXPERIMENT);
    board.release(slots[0]!);
    expect(board.snapshot()[0]).toMatchObject({ backend: 'onednn', calibration });
  });

  it('knows a forced backend before the first job', () => {
    const board = new SlotBoard(SlotPool.fromConfig({ WORKER_SLOTS: 1 }, 1).slots, 'cpu');
    expect(board.snapshot()[0]!.backend).toBe('cpu');
  });
});
