/**
 * TanStack Query hooks over the /v1 API: one query key per resource, so that a live event or a
 * mutation refreshes exactly what it changed.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type {
  Checkpoint,
  Comparison,
  Curves,
  DryRun,
  Experiment,
  Grid,
  GridList,
  GridMember,
  GridMembers,
  Metrics,
  ModelDescription,
  Preset,
  Submitted,
  Summary,
} from './types';

export const keys = {
  grids: ['grids'] as const,
  presets: ['presets'] as const,
  grid: (id: string) => ['grid', id] as const,
  members: (id: string) => ['grid', id, 'members'] as const,
  summary: (id: string) => ['grid', id, 'summary'] as const,
  curves: (id: string, metric: string, by: 'experiment' | 'group') => ['grid', id, 'curves', metric, by] as const,
  experiments: ['experiments'] as const,
  experiment: (id: string) => ['experiment', id] as const,
  metrics: (id: string) => ['experiment', id, 'metrics'] as const,
  checkpoints: (id: string) => ['experiment', id, 'checkpoints'] as const,
  model: (id: string) => ['experiment', id, 'model'] as const,
  compare: (ids: string[]) => ['compare', ...ids] as const,
};

/** Poll period where Server-Sent Events are not available. */
export const POLL_MS = 2_000;

export function useGrids() {
  return useQuery({
    queryKey: keys.grids,
    queryFn: ({ signal }) => api<GridList>('/v1/grids?limit=100', { signal }),
    // The list has no event stream; while something runs it is polled.
    refetchInterval: (q) => (q.state.data?.items.some((g) => !g.done) ? POLL_MS : 10_000),
  });
}

export function usePresets() {
  return useQuery({
    queryKey: keys.presets,
    queryFn: ({ signal }) => api<Preset[]>('/v1/presets', { signal }),
    staleTime: Infinity,
  });
}

export function useGrid(id: string, poll: boolean) {
  return useQuery({
    queryKey: keys.grid(id),
    queryFn: ({ signal }) => api<Grid>(`/v1/grids/${id}`, { signal }),
    refetchInterval: (q) => (poll && !q.state.data?.done ? POLL_MS : false),
  });
}

/** Every member of a grid (pages of 1,000 followed to the end, up to MAX_MEMBERS). */
export const MAX_MEMBERS = 5_000;

export function useGridMembers(id: string, poll: boolean) {
  return useQuery({
    queryKey: keys.members(id),
    queryFn: async ({ signal }) => {
      const items: GridMember[] = [];
      let after = -1;
      while (items.length < MAX_MEMBERS) {
        const page = await api<GridMembers>(`/v1/grids/${id}/experiments?limit=1000&after=${after}`, { signal });
        items.push(...page.items);
        if (page.nextAfter === null) break;
        after = page.nextAfter;
      }
      return items;
    },
    refetchInterval: poll ? POLL_MS : false,
  });
}

export function useSummary(id: string, poll: boolean) {
  return useQuery({
    queryKey: keys.summary(id),
    queryFn: ({ signal }) => api<Summary>(`/v1/grids/${id}/summary`, { signal }),
    refetchInterval: poll ? POLL_MS : false,
  });
}

/** One metric's curve per experiment, or per group of seeds (mean, std and n per epoch). */
export function useCurves(id: string, metric: string, by: 'experiment' | 'group', poll: boolean, enabled = true) {
  return useQuery({
    enabled,
    queryKey: keys.curves(id, metric, by),
    queryFn: ({ signal }) =>
      api<Curves>(`/v1/grids/${id}/curves?metric=${encodeURIComponent(metric)}&by=${by}&maxPoints=400`, {
        signal,
      }),
    refetchInterval: poll ? POLL_MS : false,
    placeholderData: (previous) => previous,
  });
}

export function useExperiments() {
  return useQuery({
    queryKey: keys.experiments,
    queryFn: ({ signal }) => api<{ items: Experiment[] }>('/v1/experiments?limit=100', { signal }),
  });
}

export function useExperiment(id: string, poll: boolean) {
  return useQuery({
    queryKey: keys.experiment(id),
    queryFn: ({ signal }) => api<Experiment>(`/v1/experiments/${id}`, { signal }),
    refetchInterval: (q) => (poll && isActive(q.state.data) ? POLL_MS : false),
  });
}

export function useMetrics(id: string, poll: boolean) {
  return useQuery({
    queryKey: keys.metrics(id),
    queryFn: ({ signal }) => api<Metrics>(`/v1/experiments/${id}/metrics`, { signal }),
    refetchInterval: poll ? POLL_MS : false,
  });
}

export function useCheckpoints(id: string, poll: boolean) {
  return useQuery({
    queryKey: keys.checkpoints(id),
    queryFn: ({ signal }) => api<{ checkpoints: Checkpoint[] }>(`/v1/experiments/${id}/checkpoints`, { signal }),
    refetchInterval: poll ? POLL_MS : false,
  });
}

/** The experiment's network (layers, params, FLOPs): fixed by its spec, so fetched once. */
export function useModelDescription(id: string) {
  return useQuery({
    queryKey: keys.model(id),
    queryFn: ({ signal }) => api<ModelDescription>(`/v1/experiments/${id}/model`, { signal }),
    staleTime: Infinity,
  });
}

export function useCompare(ids: string[]) {
  return useQuery({
    queryKey: keys.compare(ids),
    queryFn: ({ signal }) => api<Comparison>(`/v1/compare?ids=${ids.join(',')}`, { signal }),
    enabled: ids.length >= 2,
  });
}

export function isActive(e: Experiment | undefined): boolean {
  return e?.status === 'queued' || e?.status === 'running';
}

export type GridAction = 'cancel' | 'pause' | 'resume' | 'retry';

/** Cancel, pause, resume, retry failed, or a new priority; the answer is the grid's new view. */
export function useGridMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action, priority }: { id: string; action: GridAction | 'priority'; priority?: number }) =>
      action === 'priority'
        ? api<Grid>(`/v1/grids/${id}`, { method: 'PATCH', body: { priority } })
        : api<Grid>(`/v1/grids/${id}/${action}`, { method: 'POST' }),
    onSuccess: (grid) => {
      client.setQueryData(keys.grid(grid.id), grid);
      void client.invalidateQueries({ queryKey: keys.grids });
      void client.invalidateQueries({ queryKey: keys.grid(grid.id) });
    },
  });
}

export function useSubmitGrid() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) => api<Submitted>('/v1/grids', { method: 'POST', body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.grids }),
  });
}

export function useDryRun() {
  return useMutation({
    mutationFn: (body: unknown) => api<DryRun>('/v1/grids?dryRun=true', { method: 'POST', body }),
  });
}

export function useCancelExperiment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Experiment>(`/v1/experiments/${id}/cancel`, { method: 'POST' }),
    onSuccess: (e) => client.setQueryData(keys.experiment(e.id), e),
  });
}
