import { describe, expect, it } from 'vitest';
import { gridResultsChanged } from './grid-changes';
import type { Grid } from './types';

const grid = {
  id: '0b8f6f0e-0000-4000-8000-000000000000',
  status: 'active',
  done: false,
  progress: 0.25,
  counts: { total: 4, queued: 2, running: 1, succeeded: 1, failed: 0, cancelled: 0, reused: 0 },
  updatedAt: '2026-12-01T10:00:00.000Z',
} as unknown as Grid;

describe('gridResultsChanged', () => {
  it('ignores a new version that only moved a running step', () => {
    expect(gridResultsChanged(grid, { ...grid, updatedAt: '2026-12-01T10:00:02.000Z' })).toBe(false);
  });

  it('sees a finished epoch, a status change and a first view', () => {
    expect(gridResultsChanged(grid, { ...grid, progress: 0.3 })).toBe(true);
    expect(gridResultsChanged(grid, { ...grid, counts: { ...grid.counts, running: 0, succeeded: 2 } })).toBe(true);
    expect(gridResultsChanged(grid, { ...grid, status: 'paused' })).toBe(true);
    expect(gridResultsChanged(undefined, grid)).toBe(true);
  });
});
