/** He et al. Fig. 4 for the experiments the table shows: plain beside residual, seeds as bands. */
import { useMemo } from 'react';
import { useCurves } from '../../api/queries';
import type { Curves } from '../../api/types';
import { CurveChart } from '../../charts/CurveChart';
import { buildFigure, type ExperimentCurve } from '../../charts/shape';
import { ErrorNotice } from '../../components/common';
import type { Row } from './table-model';

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

export function GridCharts({
  gridId,
  rows,
  metric,
  heldOut,
  poll,
}: {
  gridId: string;
  rows: Row[];
  metric: string;
  heldOut: 'validation' | 'test';
  poll: boolean;
}) {
  const train = useCurves(gridId, `train.${metric}`, poll);
  const held = useCurves(gridId, `${heldOut}.${metric}`, poll);
  const panels = useMemo(
    () =>
      buildFigure({
        train: curvesOf(train.data, rows),
        heldOut: curvesOf(held.data, rows),
        heldOutSplit: heldOut,
        maxPoints: MAX_POINTS,
      }),
    [train.data, held.data, rows, heldOut],
  );
  if (train.isError && !train.data) return <ErrorNotice error={train.error} what="the training curves" />;
  if (rows.length === 0) return <p className="muted">No experiment matches the filters.</p>;
  return (
    <div className="charts">
      {panels.map((panel) => (
        <CurveChart key={panel.title} title={panel.title} lines={panel.lines} yLabel={metric} />
      ))}
    </div>
  );
}
