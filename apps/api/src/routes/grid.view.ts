import type { Grid, GridCountsRow, Repositories } from '@resnet-lab/db';
import type { GridView } from '@resnet-lab/spec';
import { etagOf } from '../http-cache';

export function toGridView(grid: Grid, counts: GridCountsRow): GridView {
  return {
    id: grid.id,
    name: grid.name,
    preset: grid.preset,
    status: grid.status,
    done: counts.queued === 0 && counts.running === 0,
    priority: grid.priority,
    axes: grid.axes,
    counts: {
      total: counts.total,
      queued: counts.queued,
      running: counts.running,
      succeeded: counts.succeeded,
      failed: counts.failed,
      cancelled: counts.cancelled,
      reused: counts.reused,
    },
    progress: counts.allEpochs > 0 ? counts.doneEpochs / counts.allEpochs : 1,
    project: grid.project,
    createdAt: grid.createdAt.toISOString(),
    updatedAt: grid.updatedAt.toISOString(),
  };
}

/**
 * The grid's view and a version tag of everything a poll could see change: the grid row and any
 * member experiment (the worker touches an experiment's row at every epoch, after writing that
 * epoch's metrics, so metric-derived answers change only when this does).
 */
export async function loadGridState(
  repos: Repositories,
  id: string,
): Promise<{ view: GridView; version: string } | null> {
  const grid = await repos.grids.get(id);
  if (!grid) return null;
  const counts = await repos.grids.counts(id);
  const view = toGridView(grid, counts);
  return { view, version: etagOf(view, counts.lastUpdate?.getTime() ?? 0, counts.doneEpochs) };
}
