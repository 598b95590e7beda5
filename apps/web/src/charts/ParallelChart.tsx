/**
 * Parallel coordinates for grids with three or more varying axes: one vertical axis per grid
 * axis plus the metric, one polyline per seed group, coloured by its metric (dark = larger).
 */
import { parallelCoordinates, type GroupStat } from './ablation';
import { parallelCsv } from './export-data';
import { ExportButtons } from './ExportButtons';
import { cellColour } from './HeatmapChart';
import { formatValue, shortAxis } from './shape';
import { INK, SvgText } from './svg';
import { formatMetric } from '../format';

const H = 300;
const M = { left: 40, right: 64, top: 28, bottom: 16 };
const GAP = 130;

export function ParallelChart({
  stats,
  axes,
  metric,
  title,
}: {
  stats: GroupStat[];
  axes: string[];
  metric: string;
  title: string;
}) {
  const { dimensions, lines, min, max } = parallelCoordinates(stats, axes);
  const W = M.left + GAP * dimensions.length + M.right;
  const x = (i: number) => M.left + GAP * i;
  const y = (p: number) => M.top + (H - M.top - M.bottom) * (1 - p);
  return (
    <figure className="chart">
      <div className="chart-head">
        <figcaption>{title}</figcaption>
        <ExportButtons title={title} csv={() => parallelCsv(dimensions, lines, metric)} />
      </div>
      <svg
        className="chart-svg"
        viewBox={`0 0 ${W} ${H}`}
        style={{ maxWidth: `${W * 1.25}px` }}
        role="img"
        aria-label={`${title}: ${lines.length} groups across ${axes.map(shortAxis).join(', ')} and ${metric}`}
        data-points={lines.length}
      >
        <rect x={0} y={0} width={W} height={H} fill="#fff" />
        {lines.map((l) => (
          <polyline
            key={l.group}
            points={l.positions.map((p, i) => `${x(i)},${y(p)}`).join(' ')}
            fill="none"
            stroke={cellColour(0.25 + 0.75 * l.positions[l.positions.length - 1]!).fill}
            strokeWidth={1.8}
            strokeOpacity={0.85}
          >
            <title>{`${metric} ${l.stat.mean.toFixed(4)} ± ${l.stat.std.toFixed(4)} (n = ${l.stat.n})`}</title>
          </polyline>
        ))}
        {dimensions.map((d, i) => (
          <g key={d.axis}>
            <line x1={x(i)} x2={x(i)} y1={M.top} y2={H - M.bottom} stroke={INK} />
            <SvgText x={x(i)} y={14} anchor="middle" weight={600}>
              {shortAxis(d.axis)}
            </SvgText>
            {d.values.map((v, j) => (
              <SvgText key={j} x={x(i) + 5} y={y(d.values.length > 1 ? j / (d.values.length - 1) : 0.5) + 4} size={11}>
                {formatValue(v)}
              </SvgText>
            ))}
          </g>
        ))}
        <g>
          <line x1={x(dimensions.length)} x2={x(dimensions.length)} y1={M.top} y2={H - M.bottom} stroke={INK} />
          <SvgText x={x(dimensions.length)} y={14} anchor="middle" weight={600}>
            {metric}
          </SvgText>
          <SvgText x={x(dimensions.length) + 5} y={y(1) + 4} size={11}>
            {formatMetric(max)}
          </SvgText>
          <SvgText x={x(dimensions.length) + 5} y={y(0) + 4} size={11}>
            {formatMetric(min)}
          </SvgText>
        </g>
      </svg>
      <p className="muted small chart-note">
        One line per configuration (mean over seeds); darker lines have a larger {metric}.
      </p>
    </figure>
  );
}
