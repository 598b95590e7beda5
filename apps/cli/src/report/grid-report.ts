/**
 * A grid's results as a Markdown report with its figure: training (thin) and validation (bold)
 * error per epoch, one panel per network family (plain beside residual, as He et al.'s Fig. 4 and
 * 6), a colour per depth (or other axis value), bands of ± one standard deviation over seeds; the
 * table of final errors; the degradation verdict in words with the numbers it rests on.
 */
import type { CurvesResponse, GridSummary, GridView } from '@resnet-lab/spec';
import type { z } from 'zod';
import { chartSvg, SERIES_COLOURS, type ChartPanel } from './svg-chart';

type Curves = z.infer<typeof CurvesResponse>;
type Summary = GridSummary;

export interface ReportInput {
  grid: GridView;
  summary: Summary;
  /** `by=group` curves of train.error and validation.error. */
  trainCurves: Curves;
  validationCurves: Curves;
  /** Lines about how it ran (command, machine, scale, budget), printed under the title. */
  context: string[];
  /** Where the figure is written, relative to the report (e.g. `cifar-depth/error-curves.svg`). */
  figurePath: string;
  /** Members that failed, with the error each ended with: a report must say why a row is empty. */
  failures?: { index: number; values: Record<string, unknown>; error: string | null }[];
}

export interface Report {
  markdown: string;
  figure: string;
}

const FAMILY = 'architecture.family';

/** An axis value as text: numbers, strings and booleans as themselves, anything else as JSON. */
function text(value: unknown, missing = '—'): string {
  if (value === null || value === undefined) return missing;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
const SEED = 'training.seed';
const THIN = 1.2;
const BOLD = 2.6;

export function gridReport(input: ReportInput): Report {
  const { grid, summary } = input;
  const title = grid.preset ?? grid.name ?? `grid ${grid.id}`;
  const lines = [
    `# ${title}: results`,
    '',
    ...input.context.map((l) => `${l}  `),
    `Grid \`${grid.id}\`: ${countsLine(grid)}.`,
    '',
    `![Training (thin) and validation (bold) error per epoch](${input.figurePath})`,
    '',
    '## Final errors',
    '',
    ...finalTable(summary),
    '',
    ...failedRuns(input.failures ?? []),
    ...(depthVaries(summary)
      ? [
          '## Degradation (He et al. 2016: deeper plain nets train worse, deeper residual nets better)',
          '',
          ...verdict(summary),
          '',
        ]
      : []),
  ];
  return { markdown: lines.join('\n'), figure: chartSvg(errorChart(input)) };
}

function failedRuns(failures: NonNullable<ReportInput['failures']>): string[] {
  if (failures.length === 0) return [];
  return [
    '## Failed runs',
    '',
    ...failures.map((f) => {
      const values = Object.entries(f.values)
        .map(([axis, v]) => `${axis}=${text(v)}`)
        .join(', ');
      return `- Point ${f.index} (${values}): ${f.error ?? 'no error recorded'}`;
    }),
    '',
  ];
}

/** Whether some family was run at more than one depth: only then is there a degradation to check. */
function depthVaries(summary: Summary): boolean {
  const depths = new Map<string, Set<string>>();
  for (const g of summary.groups) {
    const family = text(g.values[FAMILY], 'all');
    depths.set(family, (depths.get(family) ?? new Set()).add(text(g.values['architecture.depth'])));
  }
  return [...depths.values()].some((d) => d.size > 1);
}

function countsLine(grid: GridView): string {
  const c = grid.counts;
  const parts = [`${c.total} experiments`, `${c.succeeded} succeeded`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  if (c.stopped) parts.push(`${c.stopped} stopped early`);
  return parts.join(', ');
}

/** The axes whose values differ within one family's series (not family, not seed). */
function varyingAxes(series: { values: Record<string, unknown> }[], axes: string[]): string[] {
  return axes.filter((a) => a !== FAMILY && a !== SEED && new Set(series.map((s) => text(s.values[a]))).size > 1);
}

/** A series' label from the axes that vary in its panel: "depth 20". */
function seriesLabel(values: Record<string, unknown>, shown: string[]): string {
  if (shown.length === 0) return 'all';
  return shown.map((a) => `${a.split('.').pop()} ${text(values[a])}`).join(', ');
}

export function errorChart(input: ReportInput): Parameters<typeof chartSvg>[0] {
  const axes = input.summary.axes;
  const familyOf = (s: { values: Record<string, unknown> }) => text(s.values[FAMILY], 'all');
  const families = [...new Set(input.trainCurves.series.map(familyOf))].sort();
  // Per family, the axes that vary there (a zip may tie depth and dataset to the family); a label
  // keeps its colour in every panel, so the same depth (or kernel) is the same colour side by side.
  const shownAxes = new Map(
    families.map(
      (f) =>
        [
          f,
          varyingAxes(
            input.trainCurves.series.filter((s) => familyOf(s) === f),
            axes,
          ),
        ] as const,
    ),
  );
  const labelOf = (s: { values: Record<string, unknown> }) => seriesLabel(s.values, shownAxes.get(familyOf(s))!);
  const labels = [...new Set(input.trainCurves.series.map(labelOf))].sort(byNumber);
  const colourOf = (label: string) => SERIES_COLOURS[labels.indexOf(label) % SERIES_COLOURS.length]!;
  const panels: ChartPanel[] = families.map((family) => {
    const inFamily = (c: Curves) =>
      c.series.filter((s) => familyOf(s) === family).sort((a, b) => byNumber(labelOf(a), labelOf(b)));
    const toSeries = (c: Curves, kind: 'train' | 'validation') =>
      inFamily(c).map((s) => {
        const label = labelOf(s);
        return {
          label: `${label}, ${kind}`,
          colour: colourOf(label),
          width: kind === 'train' ? THIN : BOLD,
          points: s.points.map((p) => ({ x: p.epoch, y: p.value, ...(p.std ? { std: p.std } : {}) })),
        };
      });
    return {
      title: family,
      series: [...toSeries(input.trainCurves, 'train'), ...toSeries(input.validationCurves, 'validation')],
    };
  });
  return { title: 'Error per epoch (thin: training, bold: validation)', xLabel: 'epoch', yLabel: 'error', panels };
}

/** "depth 20" before "depth 110": numbers inside labels compare as numbers. */
function byNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function percent(stat: { mean: number; std: number; n: number } | undefined): string {
  if (!stat) return '—';
  const mean = `${(stat.mean * 100).toFixed(1)}%`;
  return stat.n > 1 ? `${mean} ± ${(stat.std * 100).toFixed(1)} (n ${stat.n})` : mean;
}

/** "3 of 4", and how many the early-stopping rule ended (the summary leaves those out of the means). */
function finished(g: Summary['groups'][number]): string {
  return g.stopped > 0
    ? `${g.succeeded} of ${g.n} (${g.stopped} stopped early, not in the means)`
    : `${g.succeeded} of ${g.n}`;
}

function finalTable(summary: Summary): string[] {
  const axes = summary.axes.filter((a) => a !== SEED);
  const rows = [...summary.groups].sort((a, b) =>
    byNumber(axes.map((x) => text(a.values[x])).join(' '), axes.map((x) => text(b.values[x])).join(' ')),
  );
  return [
    `| ${axes.join(' | ')} | succeeded | final training error | final validation error | best validation error |`,
    `|${' --- |'.repeat(axes.length + 4)}`,
    ...rows.map(
      (g) =>
        `| ${axes.map((a) => text(g.values[a])).join(' | ')} | ${finished(g)} | ` +
        `${percent(g.final['train.error'])} | ${percent(g.final['validation.error'])} | ` +
        `${percent(g.best['validation.error'])} |`,
    ),
  ];
}

function verdict(summary: Summary): string[] {
  const d = summary.degradation;
  if (d.series.length === 0) return ['No two depths of one family finished: nothing to compare.'];
  const out = d.series.map((s) => {
    const first = s.steps[0]!;
    const last = s.steps.at(-1)!;
    const trend = last.to < first.from ? 'better' : last.to > first.from ? 'worse' : 'the same';
    const steps = s.steps
      .map((step) => `${step.fromDepth}→${step.toDepth}: ${pct(step.from)} → ${pct(step.to)} (${step.verdict})`)
      .join('; ');
    return (
      `- **${s.family}** (${s.residual ? 'residual' : 'plain'}): the deepest trained ${trend} than the shallowest ` +
      `on final ${first.metric}. ${steps}.`
    );
  });
  const said =
    d.reproduced === true
      ? "**The paper's finding is reproduced**: deeper plain nets trained worse, deeper residual nets better."
      : d.reproduced === false
        ? `**Not reproduced at this scale**: deeper plain nets ${d.plainDegrades ? 'did' : 'did not'} train worse, ` +
          `deeper residual nets ${d.residualImproves ? 'did' : 'did not'} train better.`
        : 'Plain and residual nets were not both compared, so the finding is neither shown nor refuted.';
  return [...out, '', said];
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}
