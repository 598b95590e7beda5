/** TanStack Query hooks of "Inside the network" (GET /v1/experiments/:id/activations[/layers]). */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { ActivationLayers, ActivationMaps } from './types';

export function useActivationLayers(id: string, epoch: number | undefined) {
  return useQuery({
    queryKey: ['experiment', id, 'activations', 'layers', epoch ?? 'latest'],
    queryFn: ({ signal }) =>
      api<ActivationLayers>(`/v1/experiments/${id}/activations/layers${epoch === undefined ? '' : `?epoch=${epoch}`}`, {
        signal,
      }),
  });
}

/**
 * One layer's maps for one image at one checkpoint. The previous answer stays on screen while the
 * next is computed, so stepping through images or layers does not flash an empty grid; a
 * checkpoint's maps never change, so answers are kept (5 minutes) rather than refetched.
 */
export function useActivationMaps(id: string, params: { layer: string; image: number; epoch: number } | null) {
  return useQuery({
    enabled: params !== null,
    queryKey: ['experiment', id, 'activations', params?.epoch, params?.layer, params?.image],
    queryFn: ({ signal }) => {
      const p = params!;
      const query = `layer=${encodeURIComponent(p.layer)}&image=${p.image}&epoch=${p.epoch}`;
      return api<ActivationMaps>(`/v1/experiments/${id}/activations?${query}`, { signal });
    },
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
    // A 4xx will not change on retry; a 503 (the compute thread is busy) may, after a moment.
    retry: (failures, error) => failures < 2 && (error as { status?: number }).status === 503,
    retryDelay: 1_000,
  });
}
