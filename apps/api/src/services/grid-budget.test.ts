import { describe, expect, it } from 'vitest';
import { activeSlots, workersBackend, workersCalibration } from './grid-budget';

const workers = (rows: { status: string; slots: unknown }[]) => ({ list: () => Promise.resolve(rows) });

describe('what the active workers offer', () => {
  const rows = [
    { status: 'active', slots: [{ backend: 'onednn' }, { backend: 'onednn' }, { backend: null }] },
    { status: 'active', slots: [{ backend: 'cpu' }] },
    { status: 'lost', slots: [{ backend: 'cpu' }, { backend: 'cpu' }, { backend: 'cpu' }] },
  ];

  it('counts the slots of active workers only', async () => {
    expect(await activeSlots(workers(rows))).toBe(4);
  });

  it('costs on the backend most of their slots train on, none before any slot reported one', async () => {
    expect(await workersBackend(workers(rows))).toBe('onednn');
    expect(await workersBackend(workers([{ status: 'active', slots: [{ backend: null }] }]))).toBeNull();
    expect(await workersBackend(workers([]))).toBeNull();
  });

  it("gathers the calibration runs of active workers' slots on the backend asked for", async () => {
    const sample = (ips: number) => ({ spec: { name: `ref ${ips}` }, imagesPerSecond: ips });
    const calibrated = [
      {
        status: 'active',
        slots: [
          { backend: 'onednn', calibration: { backend: 'onednn', samples: [sample(900), sample(300)] } },
          { backend: 'onednn', calibration: null },
          { backend: 'cpu', calibration: { backend: 'cpu', samples: [sample(20)] } },
        ],
      },
      { status: 'lost', slots: [{ backend: 'onednn', calibration: { backend: 'onednn', samples: [sample(1)] } }] },
    ];
    const ips = (backend: string) =>
      workersCalibration(workers(calibrated), backend).then((s) => s.map((x) => x.imagesPerSecond));
    expect(await ips('onednn')).toEqual([900, 300]);
    expect(await ips('cpu')).toEqual([20]);
    expect(await ips('tfjs-node')).toEqual([]);
  });
});
