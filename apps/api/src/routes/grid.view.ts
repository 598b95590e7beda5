import type { Grid, GridCountsRow, Repositories } from '@resnet-lab/db';
import type { EarlyStoppingSpec, GridView } from '@resnet-lab/spec';
import { etagOf } from '../http-cache';
import { activeSlots } from '../services/grid-budget';

/** `slots`: of the workers active now, over which the remaining work is spread. */
export function toGridView(grid: Grid, counts: GridCountsRow, slots = 1): GridView {
  const done = counts.queued === 0 && counts.running === 0;
  return {
    id: grid.id,
    name: grid.name,
    preset: grid.preset,
    status: grid.status,
    done,
    priority: grid.priority,
    axes: grid.axes,
    earlyStopping: (grid.earlyStopping as EarlyStoppingSpec | null) ?? null,
    counts: {
      total: counts.total,
      queued: counts.queued,
      running: counts.running,
      succeeded: counts.succeeded,
      failed: counts.failed,
      cancelled: counts.cancelled,
      stopped: counts.stopped,
      reused: counts.reused,
    },
    progress: counts.allEpochs > 0 ? counts.doneEpochs / counts.allEpochs : 1,
    etaSeconds: hasEta(grid, counts, done)
      ? Math.max(counts.remainingSeconds! / Math.max(1, slots), counts.longestRemainingSeconds ?? 0)
      : null,
    project: grid.project,
    createdAt: grid.createdAt.toISOString(),
    updatedAt: grid.updatedAt.toISOString(),
  };
}

/** A paused or cancelled grid starts nothing more; a member without a prediction would make it too low. */
function hasEta(grid: Grid, counts: GridCountsRow, done: boolean): boolean {
  return !done && grid.status === 'active' && counts.remainingSeconds !== null;
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
  // Workers are looked up only for grids with work left (a list of finished grids asks nothing more).
  const done = counts.queued === 0 && counts.running === 0;
  const view = toGridView(grid, counts, hasEta(grid, counts, done) ? await activeSlots(repos.workers) : 1);
  return { view, version: etagOf(view, counts.lastUpdate?.getTime() ?? 0, counts.doneEpochs) };
}
