/**
 * A metric over two axes: one cell per pair of values, its mean over seeds written in the cell
 * (the colour only repeats it), darker for larger values.
 */
import type { Heatmap } from './ablation';
import { heatmapCsv } from './export-data';
import { ExportButtons } from './ExportButtons';
import { formatValue, shortAxis } from './shape';
import { SvgText } from './svg';

const LIGHT = [247, 251, 255];
const DARK = [8, 48, 107];

/** Light to dark blue; t in [0, 1]. */
export function cellColour(t: number): { fill: string; text: string } {
  const c = LIGHT.map((l, i) => Math.round(l + (DARK[i]! - l) * t));
  // Text stays readable: white on the darker half of the scale.
  return { fill: `rgb(${c.join(',')})`, text: t > 0.5 ? '#fff' : '#111' };
}

const CELL_W = 84;
const CELL_H = 40;
const M = { left: 96, top: 12, bottom: 48, right: 8 };

export function HeatmapChart({ data, metric, title }: { data: Heatmap; metric: string; title: string }) {
  const W = M.left + CELL_W * data.xs.length + M.right;
  const H = M.top + CELL_H * data.ys.length + M.bottom;
  const t = (v: number) => (data.max > data.min ? (v - data.min) / (data.max - data.min) : 0.5);
  const filled = data.cells.flat().filter(Boolean).length;
  return (
    <figure className="chart">
      <div className="chart-head">
        <figcaption>{title}</figcaption>
        <ExportButtons title={title} csv={() => heatmapCsv(data, metric)} />
      </div>
      <svg
        className="chart-svg chart-heatmap"
        viewBox={`0 0 ${W} ${H}`}
        style={{ maxWidth: `${W * 1.25}px` }}
        role="img"
        aria-label={`${title}: mean ${metric} in ${filled} cells`}
        data-points={filled}
      >
        <rect x={0} y={0} width={W} height={H} fill="#fff" />
        {data.ys.map((yv, r) => (
          <g key={r}>
            <SvgText x={M.left - 8} y={M.top + CELL_H * (r + 0.5) + 4} anchor="end">
              {formatValue(yv)}
            </SvgText>
            {data.xs.map((_, c) => {
              const cell = data.cells[r]![c];
              const x0 = M.left + CELL_W * c;
              const y0 = M.top + CELL_H * r;
              if (!cell) return <rect key={c} x={x0} y={y0} width={CELL_W} height={CELL_H} fill="#fff" stroke="#ccc" />;
              const colour = cellColour(t(cell.mean));
              return (
                <g key={c}>
                  <rect x={x0} y={y0} width={CELL_W} height={CELL_H} fill={colour.fill} stroke="#fff">
                    <title>{`${cell.mean.toFixed(4)} ± ${cell.std.toFixed(4)} (n = ${cell.n})`}</title>
                  </rect>
                  <SvgText x={x0 + CELL_W / 2} y={y0 + CELL_H / 2 + 4} anchor="middle" fill={colour.text}>
                    {cell.mean.toFixed(4)}
                  </SvgText>
                </g>
              );
            })}
          </g>
        ))}
        {data.xs.map((xv, c) => (
          <SvgText key={c} x={M.left + CELL_W * (c + 0.5)} y={M.top + CELL_H * data.ys.length + 16} anchor="middle">
            {formatValue(xv)}
          </SvgText>
        ))}
        <SvgText x={M.left + (CELL_W * data.xs.length) / 2} y={H - 8} anchor="middle">
          {shortAxis(data.xAxis)}
        </SvgText>
        <SvgText x={14} y={M.top + (CELL_H * data.ys.length) / 2} anchor="middle" rotate={-90}>
          {shortAxis(data.yAxis)}
        </SvgText>
      </svg>
      <p className="muted small chart-note">
        Each cell: mean {metric} over seeds (darker = larger)
        {data.pooled ? '; cells pool the other axes’ values (mean of their means)' : ''}.
      </p>
    </figure>
  );
}
