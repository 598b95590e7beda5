import type { Grid } from './types';

/**
 * Whether a grid's results (its table, summary and curves) can have changed between two of its
 * views. A running experiment's step progress bumps the grid's version every few seconds; the
 * results only change when an epoch ends (progress counts finished epochs) or a status changes,
 * and refetching a 1,000-experiment table on every step would cost megabytes a minute.
 */
export function gridResultsChanged(previous: Grid | undefined, next: Grid): boolean {
  if (!previous) return true;
  return (
    previous.status !== next.status ||
    previous.progress !== next.progress ||
    previous.done !== next.done ||
    JSON.stringify(previous.counts) !== JSON.stringify(next.counts)
  );
}
