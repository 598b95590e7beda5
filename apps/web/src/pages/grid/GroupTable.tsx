/**
 * The grid's experiments grouped over seeds (the summary's groups): each configuration once, with
 * mean ± std and n of its final and best metrics. The table's filters apply to it as well.
 */
import type { Summary } from '../../api/types';
import { formatValue, SEED_AXIS, shortAxis } from '../../charts/shape';
import { formatMetric } from '../../format';

type Group = Summary['groups'][number];

function MeanStd({ stat }: { stat: { mean: number; std: number; n: number } | undefined }) {
  if (!stat) return <>—</>;
  return (
    <>
      {formatMetric(stat.mean)}
      {stat.n > 1 && <span className="muted"> ± {formatMetric(stat.std)}</span>}
    </>
  );
}

export function keptGroups(summary: Summary | undefined, filters: Record<string, string>): Group[] {
  return (summary?.groups ?? []).filter((g) =>
    Object.entries(filters).every(([axis, value]) => axis === SEED_AXIS || formatValue(g.values[axis]) === value),
  );
}

export function GroupTable({
  groups,
  axes,
  metric,
  heldOut,
}: {
  groups: Group[];
  axes: string[];
  metric: string;
  heldOut: string;
}) {
  const shown = axes.filter((a) => a !== SEED_AXIS);
  return (
    <div className="table-wrap">
      <table className="experiments-table groups-table">
        <caption className="visually-hidden">Configurations of the grid, mean ± std over seeds</caption>
        <thead>
          <tr>
            {shown.map((a) => (
              <th key={a} scope="col" title={a}>
                {shortAxis(a)}
              </th>
            ))}
            <th scope="col" title="succeeded of all experiments in the group">
              n
            </th>
            <th scope="col">final train {metric}</th>
            <th scope="col">
              final {heldOut} {metric}
            </th>
            <th scope="col">
              best {heldOut} {metric}
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.group}>
              {shown.map((a) => (
                <td key={a}>{formatValue(g.values[a])}</td>
              ))}
              <td className="num">
                {g.succeeded} / {g.n}
                {g.stopped > 0 && <span className="muted small"> ({g.stopped} stopped early, not in the means)</span>}
              </td>
              <td className="num">
                <MeanStd stat={g.final[`train.${metric}`]} />
              </td>
              <td className="num">
                <MeanStd stat={g.final[`${heldOut}.${metric}`]} />
              </td>
              <td className="num">
                <MeanStd stat={g.best[`${heldOut}.${metric}`]} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {groups.length === 0 && <p className="muted">No configuration matches the filters.</p>}
    </div>
  );
}
