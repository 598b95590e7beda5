/**
 * One uPlot chart of learning curves with an HTML legend (readable, and no colour-only cue:
 * each entry shows its line's weight). uPlot is rebuilt when the set of lines or the width
 * changes and only given new data otherwise, so live updates do not flicker.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { curvesCsv } from './export-data';
import { ExportButtons } from './ExportButtons';
import { alignLines, type Line } from './shape';

const EPOCH_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000];

interface Props {
  title: string;
  lines: Line[];
  yLabel: string;
  height?: number;
  /** A logarithmic y axis (values <= 0 are not drawn). */
  logScale?: boolean;
}

function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** uPlot's columns: x, then per line its mean and, for banded lines, lower and upper bounds. */
function toPlot(
  lines: Line[],
  logScale: boolean,
): { data: AlignedData; series: Options['series']; bands: Options['bands'] } {
  const { x, series } = alignLines(lines);
  // A log axis cannot place zero or negative values (a training error of 0, a band below 0).
  const positive = (values: (number | null)[]) =>
    logScale ? values.map((v) => (v !== null && v > 0 ? v : null)) : values;
  const data: (number | null)[][] = [x];
  const config: Options['series'] = [{ label: 'epoch' }];
  const bands: NonNullable<Options['bands']> = [];
  const few = x.length <= 30;
  lines.forEach((line, i) => {
    const s = series[i]!;
    data.push(positive(s.mean));
    config.push({
      label: line.label,
      stroke: line.colour,
      width: line.width,
      spanGaps: true,
      points: { show: few, size: line.width * 2 + 3, fill: line.colour },
    });
    if (line.band) {
      data.push(positive(s.lower), positive(s.upper));
      const lower = data.length - 2;
      config.push({ label: `${line.label} − std`, stroke: 'transparent', points: { show: false }, spanGaps: true });
      config.push({ label: `${line.label} + std`, stroke: 'transparent', points: { show: false }, spanGaps: true });
      bands.push({ series: [lower + 1, lower], fill: `${line.colour}26` });
    }
  });
  return { data: data as AlignedData, series: config, bands };
}

export function CurveChart({ title, lines, yLabel, height = 260, logScale = false }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const width = useWidth(box);
  const { data, series, bands } = useMemo(() => toPlot(lines, logScale), [lines, logScale]);
  const shape = lines.map((l) => `${l.id}:${l.band}`).join('|');

  useEffect(() => {
    if (!box.current || width === 0) return;
    const options: Options = {
      width,
      height,
      series,
      bands,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, y: logScale ? { distr: 3 } : {} },
      axes: [
        // Epochs are whole numbers: no 1.2, 1.4 … ticks on a short run.
        { label: 'epoch', stroke: '#333', grid: { stroke: '#e3e3e3' }, incrs: EPOCH_STEPS },
        { label: yLabel, stroke: '#333', grid: { stroke: '#e3e3e3' }, size: 56 },
      ],
    };
    plot.current = new uPlot(options, data, box.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only when the lines or the size change; new data alone goes through setData below.
  }, [shape, width, height, yLabel, logScale]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const points = lines.reduce((n, l) => Math.max(n, l.points.length), 0);
  return (
    <figure className="chart">
      <div className="chart-head">
        <figcaption>{title}</figcaption>
        <ExportButtons title={title} csv={() => curvesCsv(lines)} />
      </div>
      <div
        ref={box}
        className="chart-plot"
        role="img"
        aria-label={`${title}: ${lines.length} curves of ${yLabel} over ${points} epochs`}
        data-points={points}
        data-splits={[...new Set(lines.filter((l) => l.points.length > 0).map((l) => l.split))].join(' ')}
      />
      {points === 0 && <p className="muted chart-empty">No epochs recorded yet.</p>}
      {lines.some((l) => l.band) && <p className="muted small chart-note">Shaded: mean ± std over seeds.</p>}
      <ul className="legend">
        {lines.map((line) => (
          <li key={line.id}>
            <span
              className="swatch"
              aria-hidden="true"
              style={{ borderTopColor: line.colour, borderTopWidth: `${Math.max(1, line.width + 0.5)}px` }}
            />
            {line.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
