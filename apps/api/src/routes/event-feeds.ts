import type { Repositories } from '@resnet-lab/db';
import { FINAL_EXPERIMENT_STATUSES, type ExperimentView, type GridView } from '@resnet-lab/spec';
import { etagOf } from '../http-cache';
import { createChangeFeed, type ChangeFeed } from '../services/change-feed';
import { toExperimentView } from './experiment.view';
import { loadGridState } from './grid.view';

const FINAL = new Set<string>(FINAL_EXPERIMENT_STATUSES);

/** The change feeds behind the event streams: one poller per watched grid and per watched experiment. */
export interface EventFeeds {
  grids: ChangeFeed<GridView>;
  experiments: ChangeFeed<ExperimentView>;
}

export function createEventFeeds(
  repos: Repositories,
  options: { intervalMs: number; onError: (error: unknown, id: string) => void },
): EventFeeds {
  return {
    grids: createChangeFeed<GridView>({
      ...options,
      read: async (id) => {
        const state = await loadGridState(repos, id);
        return state && { data: state.view, version: state.version, final: state.view.done };
      },
    }),
    experiments: createChangeFeed<ExperimentView>({
      ...options,
      read: async (id) => {
        const row = await repos.experiments.get(id);
        return (
          row && {
            data: toExperimentView(row),
            version: etagOf(row.id, row.updatedAt.getTime()),
            final: FINAL.has(row.status),
          }
        );
      },
    }),
  };
}
