/** TanStack Query hook of the workers page (GET /v1/workers). */
import { useQuery } from '@tanstack/react-query';
import type { WorkersResponse } from '@resnet-lab/spec';
import { api } from './client';
import { POLL_MS } from './queries';

export type Workers = WorkersResponse;
export type WorkerEntry = WorkersResponse['workers'][number];
export type WorkerSlotEntry = WorkerEntry['slots'][number];

/** Workers and queue depth, polled every 2 s (there is no event stream for them). */
export function useWorkers() {
  return useQuery({
    queryKey: ['workers'],
    queryFn: ({ signal }) => api<Workers>('/v1/workers', { signal }),
    refetchInterval: POLL_MS,
  });
}
