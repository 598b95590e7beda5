/**
 * Small helpers shared by the SVG charts (ablation, heatmap, parallel coordinates). Styles are
 * attributes, not CSS classes, so that an exported SVG renders the same on its own.
 */
import type { ReactNode } from 'react';
import { formatMetric } from '../format';

export const FONT_FAMILY = 'system-ui, sans-serif';
export const INK = '#222';
export const GRID = '#e3e3e3';

/** About five round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export function SvgText({
  x,
  y,
  children,
  anchor = 'start',
  size = 12,
  weight,
  fill = INK,
  rotate,
}: {
  x: number;
  y: number;
  children: ReactNode;
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  weight?: number;
  fill?: string;
  rotate?: number;
}) {
  return (
    <text
      x={x}
      y={y}
      textAnchor={anchor}
      fontFamily={FONT_FAMILY}
      fontSize={size}
      fontWeight={weight}
      fill={fill}
      transform={rotate ? `rotate(${rotate} ${x} ${y})` : undefined}
    >
      {children}
    </text>
  );
}

/** A vertical value axis with grid lines across the plot, labelled with the metric. */
export function ValueAxis({
  ticks,
  y,
  left,
  right,
  label,
  top,
  bottom,
}: {
  ticks: number[];
  y: (v: number) => number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  label: string;
}) {
  return (
    <g>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={left} x2={right} y1={y(t)} y2={y(t)} stroke={GRID} />
          <SvgText x={left - 6} y={y(t) + 4} anchor="end" size={11}>
            {formatMetric(t)}
          </SvgText>
        </g>
      ))}
      <line x1={left} x2={left} y1={top} y2={bottom} stroke={INK} />
      <SvgText x={14} y={(top + bottom) / 2} anchor="middle" rotate={-90}>
        {label}
      </SvgText>
    </g>
  );
}
