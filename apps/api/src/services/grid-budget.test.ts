import { describe, expect, it } from 'vitest';
import { activeSlots, workersBackend } from './grid-budget';

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
});
