/**
 * The grid's metric against its axes, from the summary's seed groups: an ablation chart over one
 * axis (error bars over seeds), a heatmap when two axes vary, parallel coordinates for three or
 * more. Which axes and which value (final/best, training/held-out) are in the URL.
 */
import { useMemo } from 'react';
import type { Summary } from '../../api/types';
import { ablation, ablationAxes, groupStats, heatmap, type Statistic } from '../../charts/ablation';
import { AblationChart } from '../../charts/AblationChart';
import { HeatmapChart } from '../../charts/HeatmapChart';
import { ParallelChart } from '../../charts/ParallelChart';
import { shortAxis } from '../../charts/shape';
import { setSearch } from '../../router';

interface ValueChoice {
  id: string;
  label: string;
  statistic: Statistic;
  split: string;
}

function valueChoices(heldOut: string, trainOnly: boolean): ValueChoice[] {
  const train = { id: 'final-train', label: 'final training', statistic: 'final' as const, split: 'train' };
  if (trainOnly) return [train];
  return [
    { id: 'final-heldout', label: `final ${heldOut}`, statistic: 'final', split: heldOut },
    train,
    { id: 'best-heldout', label: `best ${heldOut}`, statistic: 'best', split: heldOut },
  ];
}

export function AxisCharts({
  summary,
  metric,
  heldOut,
  trainOnly,
  filters,
  search,
}: {
  summary: Summary | undefined;
  metric: string;
  heldOut: string;
  trainOnly: boolean;
  filters: Record<string, string>;
  search: URLSearchParams;
}) {
  const choices = valueChoices(heldOut, trainOnly);
  const choice = choices.find((c) => c.id === search.get('value')) ?? choices[0]!;
  const metricKey = `${choice.split}.${metric}`;
  const stats = useMemo(
    () => groupStats(summary, metricKey, choice.statistic, filters),
    [summary, metricKey, choice.statistic, JSON.stringify(filters)],
  );
  const axes = useMemo(() => ablationAxes(stats), [stats]);
  const xAxis = axes.includes(search.get('x') ?? '') ? search.get('x')! : axes[0];
  const yCandidates = axes.filter((a) => a !== xAxis);
  const yAxis = yCandidates.includes(search.get('y') ?? '') ? search.get('y')! : yCandidates[0];
  const label = `${choice.label} ${metric}`;

  const controls = (
    <div className="filters" role="group" aria-label="what to plot against the axes">
      <label>
        Value
        <select value={choice.id} onChange={(e) => setSearch({ value: e.target.value })}>
          {choices.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label} {metric}
            </option>
          ))}
        </select>
      </label>
      {axes.length > 0 && (
        <label>
          Against
          <select value={xAxis} onChange={(e) => setSearch({ x: e.target.value })}>
            {axes.map((a) => (
              <option key={a} value={a} title={a}>
                {shortAxis(a)}
              </option>
            ))}
          </select>
        </label>
      )}
      {yCandidates.length > 0 && (
        <label>
          Heatmap rows
          <select value={yAxis} onChange={(e) => setSearch({ y: e.target.value })}>
            {yCandidates.map((a) => (
              <option key={a} value={a} title={a}>
                {shortAxis(a)}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );

  if (stats.length === 0)
    return (
      <>
        {controls}
        <p className="muted">No finished results for {label} yet.</p>
      </>
    );
  if (!xAxis)
    return (
      <>
        {controls}
        <p className="muted">Only the seed varies among the kept experiments: nothing to plot against.</p>
      </>
    );
  return (
    <>
      {controls}
      <div className="charts">
        <AblationChart data={ablation(stats, xAxis)} metric={label} title={`${label} against ${shortAxis(xAxis)}`} />
        {yAxis && (
          <HeatmapChart
            data={heatmap(stats, xAxis, yAxis)}
            metric={label}
            title={`${label} by ${shortAxis(xAxis)} and ${shortAxis(yAxis)}`}
          />
        )}
        {axes.length >= 3 && (
          <ParallelChart stats={stats} axes={axes} metric={label} title={`${label} across all axes`} />
        )}
      </div>
    </>
  );
}
