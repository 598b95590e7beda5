/**
 * He et al. Fig. 4 for the experiments the table shows: plain beside residual, seeds as bands.
 * Seeds are grouped by the API (`/curves?by=group`: a few hundred points for a grid of thousands
 * of runs) unless the table keeps only some seeds of a configuration (a status or seed filter);
 * then each kept run's own curve is fetched and grouped here.
 */
import { useMemo } from 'react';
import { useCurves } from '../../api/queries';
import type { Curves } from '../../api/types';
import { CurveChart } from '../../charts/CurveChart';
import {
  figureOfGroups,
  groupOverSeeds,
  groupsFromSeries,
  SEED_AXIS,
  seedlessKey,
  type ExperimentCurve,
  type SeedGroup,
} from '../../charts/shape';
import { ErrorNotice } from '../../components/common';
import type { Row, TableQuery } from './table-model';

/** Enough points for a chart a few hundred pixels wide; more would only cost time. */
const MAX_POINTS = 200;

function curvesOf(response: Curves | undefined, rows: Row[]): ExperimentCurve[] {
  const byId = new Map(response?.series.map((s) => [s.experimentId, s.points]) ?? []);
  return rows.map((r) => ({
    experimentId: r.id,
    values: r.values,
    family: r.family,
    depth: r.depth,
    points: byId.get(r.id) ?? [],
  }));
}

/** The seed groups to draw: the API's groups that have a kept row, or the kept rows grouped here. */
function groupsOf(response: Curves | undefined, rows: Row[], byGroup: boolean): SeedGroup[] {
  if (!byGroup) return groupOverSeeds(curvesOf(response, rows));
  const kept = new Map(rows.map((r) => [seedlessKey(r.values), r]));
  return groupsFromSeries(response?.series ?? [], (key) => kept.get(key));
}

/** Curves per group of seeds, unless the table filters by status or by seed (then per experiment). */
export function curvesBy(query: TableQuery): 'group' | 'experiment' {
  return !query.status && query.axes[SEED_AXIS] === undefined ? 'group' : 'experiment';
}

export function GridCharts({
  gridId,
  rows,
  query,
  metric,
  heldOut,
  trainOnly,
  logScale,
  poll,
}: {
  gridId: string;
  rows: Row[];
  query: TableQuery;
  metric: string;
  heldOut: 'validation' | 'test';
  /** The metric has no held-out values (learning rate, images/s): training lines only. */
  trainOnly: boolean;
  logScale: boolean;
  poll: boolean;
}) {
  const by = curvesBy(query);
  const byGroup = by === 'group';
  const train = useCurves(gridId, `train.${metric}`, by, poll);
  const held = useCurves(gridId, `${heldOut}.${metric}`, by, poll, !trainOnly);
  const panels = useMemo(
    () =>
      figureOfGroups(
        groupsOf(train.data, rows, byGroup),
        trainOnly ? [] : groupsOf(held.data, rows, byGroup),
        heldOut,
        MAX_POINTS,
      ),
    [train.data, held.data, rows, heldOut, trainOnly, byGroup],
  );
  if (train.isError && !train.data) return <ErrorNotice error={train.error} what="the training curves" />;
  if (rows.length === 0) return <p className="muted">No experiment matches the filters.</p>;
  return (
    <div className="charts">
      {panels.map((panel) => (
        <CurveChart key={panel.title} title={panel.title} lines={panel.lines} yLabel={metric} logScale={logScale} />
      ))}
    </div>
  );
}
