/**
 * A metric against one axis (e.g. shortcut kernel k = 1/3/5/7): mean over seeds with ± std error
 * bars, one line per combination of the other axes. Values are categories, evenly spaced, so
 * depths 20/32/44/56 and kernels 1/3/5/7 read the same way.
 */
import type { Ablation } from './ablation';
import { ablationCsv } from './export-data';
import { ExportButtons } from './ExportButtons';
import { formatValue, PALETTE, shortAxis } from './shape';
import { INK, niceTicks, SvgText, ValueAxis } from './svg';

const W = 560;
const H = 280;
const M = { left: 64, right: 16, top: 12, bottom: 44 };

function pointTitle(series: string, axis: string, p: Ablation['series'][number]['points'][number]): string {
  const where = `${series ? `${series}, ` : ''}${shortAxis(axis)} ${formatValue(p.x)}`;
  return `${where}: ${p.mean.toFixed(4)} ± ${p.std.toFixed(4)} (n = ${p.n})`;
}

export function AblationChart({ data, metric, title }: { data: Ablation; metric: string; title: string }) {
  const lows = data.series.flatMap((s) => s.points.map((p) => p.mean - p.std));
  const highs = data.series.flatMap((s) => s.points.map((p) => p.mean + p.std));
  const ticks = niceTicks(Math.min(...lows), Math.max(...highs));
  const lo = Math.min(ticks[0] ?? 0, ...lows);
  const hi = Math.max(ticks[ticks.length - 1] ?? 1, ...highs);
  const y = (v: number) => M.top + (H - M.top - M.bottom) * (hi > lo ? 1 - (v - lo) / (hi - lo) : 0.5);
  const slot = (W - M.left - M.right) / Math.max(1, data.xs.length);
  // Series side by side within a value's slot, so that error bars do not hide each other.
  const spread = Math.min(slot * 0.5, 14 * data.series.length);
  const x = (at: number, s: number) =>
    M.left + slot * (at + 0.5) + (data.series.length > 1 ? (s / (data.series.length - 1) - 0.5) * spread : 0);
  const points = data.series.reduce((n, s) => n + s.points.length, 0);

  return (
    <figure className="chart">
      <div className="chart-head">
        <figcaption>{title}</figcaption>
        <ExportButtons title={title} csv={() => ablationCsv(data, metric)} />
      </div>
      <svg
        className="chart-svg"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: ${data.series.length} series, ${points} points, mean ± std over seeds`}
        data-points={points}
      >
        <rect x={0} y={0} width={W} height={H} fill="#fff" />
        <ValueAxis
          ticks={ticks}
          y={y}
          left={M.left}
          right={W - M.right}
          top={M.top}
          bottom={H - M.bottom}
          label={metric}
        />
        <line x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} stroke={INK} />
        {data.xs.map((v, i) => (
          <SvgText key={i} x={M.left + slot * (i + 0.5)} y={H - M.bottom + 16} anchor="middle">
            {formatValue(v)}
          </SvgText>
        ))}
        <SvgText x={(M.left + W - M.right) / 2} y={H - 8} anchor="middle">
          {shortAxis(data.axis)}
        </SvgText>
        {data.series.map((s, si) => {
          const colour = PALETTE[si % PALETTE.length]!;
          return (
            <g key={s.key}>
              <polyline
                points={s.points.map((p) => `${x(p.at, si)},${y(p.mean)}`).join(' ')}
                fill="none"
                stroke={colour}
                strokeWidth={2}
              />
              {s.points.map((p) => (
                <g key={p.at}>
                  {p.std > 0 && (
                    <g stroke={colour} strokeWidth={1.5}>
                      <line x1={x(p.at, si)} x2={x(p.at, si)} y1={y(p.mean - p.std)} y2={y(p.mean + p.std)} />
                      <line x1={x(p.at, si) - 4} x2={x(p.at, si) + 4} y1={y(p.mean - p.std)} y2={y(p.mean - p.std)} />
                      <line x1={x(p.at, si) - 4} x2={x(p.at, si) + 4} y1={y(p.mean + p.std)} y2={y(p.mean + p.std)} />
                    </g>
                  )}
                  <circle cx={x(p.at, si)} cy={y(p.mean)} r={4} fill={colour}>
                    <title>{pointTitle(s.label, data.axis, p)}</title>
                  </circle>
                </g>
              ))}
            </g>
          );
        })}
      </svg>
      <p className="muted small chart-note">
        Points: mean over seeds; bars: ± std; n per point in its tooltip and the CSV.
      </p>
      {data.series.length > 1 && (
        <ul className="legend">
          {data.series.map((s, si) => (
            <li key={s.key}>
              <span
                className="swatch"
                aria-hidden="true"
                style={{ borderTopColor: PALETTE[si % PALETTE.length], borderTopWidth: '2.5px' }}
              />
              {s.label}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
