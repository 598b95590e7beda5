import type { DryRun } from '../../api/types';
import { formatValue, shortAxis } from '../../charts/shape';
import { formatCount, formatSeconds } from '../../format';

/** What a dry run said a grid would cost, shown before it can be started. */
export function CostSummary({ cost }: { cost: DryRun }) {
  // The dry run lists the first page of points (50 by default); the totals cover all of them.
  const shown = cost.points;
  const more = cost.experiments - cost.pointsOffset - shown.length;
  return (
    <div className="cost" role="status" aria-label="estimated cost">
      <p>
        <strong>{cost.experiments}</strong> experiment{cost.experiments === 1 ? '' : 's'} to run
        {cost.reusable > 0 && <>, {cost.reusable} reused from earlier results</>}
        {cost.duplicates > 0 && <>, {cost.duplicates} duplicate points collapsed</>}
        {cost.excluded > 0 && <>, {cost.excluded} excluded</>}. Estimated compute:{' '}
        <strong>{formatSeconds(cost.estimate.totalSeconds)}</strong> on {cost.estimate.backend}{' '}
        <span className="muted">({cost.estimate.source})</span>.
      </p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Experiments of the grid and their estimated cost</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              {cost.axes.map((a) => (
                <th scope="col" key={a} title={a}>
                  {shortAxis(a)}
                </th>
              ))}
              <th scope="col">parameters</th>
              <th scope="col">FLOPs / image</th>
              <th scope="col">estimated time</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p) => (
              <tr key={p.specHash}>
                <td>{p.index}</td>
                {cost.axes.map((a) => (
                  <td key={a}>{formatValue(p.values[a])}</td>
                ))}
                <td>{formatCount(p.params)}</td>
                <td>{formatCount(p.flops)}</td>
                <td>{p.reuses ? 'reused' : formatSeconds(p.estimatedSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more > 0 && <p className="muted">…and {more} more.</p>}
    </div>
  );
}
