/**
 * Wires the API's event streams to the query cache: an event replaces the grid (or experiment)
 * view and refetches what depends on it (members, summary, curves, only when an epoch ended or a
 * status changed; metrics, checkpoints).
 * Returns whether the page must poll instead.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { gridResultsChanged } from './grid-changes';
import { keys } from './queries';
import { useEventStream, type LiveMode } from './live';
import type { Experiment, Grid } from './types';

export function useLiveGrid(id: string, done: boolean | undefined): LiveMode {
  const client = useQueryClient();
  const refreshChildren = useCallback(() => {
    void client.invalidateQueries({
      queryKey: keys.grid(id),
      predicate: (q) => q.queryKey.length > 2,
    });
    void client.invalidateQueries({ queryKey: keys.grids });
  }, [client, id]);
  const onData = useCallback(
    (grid: Grid) => {
      const previous = client.getQueryData<Grid>(keys.grid(id));
      client.setQueryData(keys.grid(id), grid);
      if (gridResultsChanged(previous, grid)) refreshChildren();
      else void client.invalidateQueries({ queryKey: keys.grids });
    },
    [client, id, refreshChildren],
  );
  // A finished grid has no stream to follow; a retry or resume makes it unfinished, reopening it.
  return useEventStream<Grid>(done === false ? `/v1/grids/${id}/events` : null, 'grid', onData, refreshChildren);
}

export function useLiveExperiment(id: string, active: boolean): LiveMode {
  const client = useQueryClient();
  const refreshChildren = useCallback(() => {
    void client.invalidateQueries({ queryKey: keys.metrics(id) });
    void client.invalidateQueries({ queryKey: keys.checkpoints(id) });
  }, [client, id]);
  const onData = useCallback(
    (experiment: Experiment) => {
      client.setQueryData(keys.experiment(id), experiment);
      refreshChildren();
    },
    [client, id, refreshChildren],
  );
  return useEventStream<Experiment>(
    active ? `/v1/experiments/${id}/events` : null,
    'experiment',
    onData,
    refreshChildren,
  );
}

export function LiveIndicator({ mode }: { mode: LiveMode }) {
  const text = {
    connecting: 'connecting to live updates…',
    live: 'live',
    polling: 'updating every 2 s',
    ended: 'finished',
  }[mode];
  return (
    <span className={`live live-${mode}`} role="status" aria-live="polite">
      {text}
    </span>
  );
}
