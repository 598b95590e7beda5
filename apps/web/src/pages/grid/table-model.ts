/**
 * The grid page's experiment table as data: members joined with their metrics, filtered and
 * sorted by what the URL says. Pure, so it is unit-tested without a browser.
 */
import type { GridMember, Summary } from '../../api/types';
import { formatValue } from '../../charts/shape';

export interface Row {
  id: string;
  index: number;
  status: string;
  values: Record<string, unknown>;
  family: string;
  depth: number | null;
  backend: string | null;
  attempts: number;
  /** Epochs finished (from the summary) and planned (from the spec). */
  epochs: number;
  epochsTotal: number;
  final: Record<string, number>;
  best: Record<string, number>;
  reused: boolean;
  error: string | null;
}

export function buildRows(members: GridMember[], summary: Summary | undefined): Row[] {
  const results = new Map(summary?.experiments.map((e) => [e.experimentId, e]) ?? []);
  return members.map((m) => {
    const e = m.experiment;
    const r = results.get(e.id);
    const arch = e.spec.architecture as { family: string; depth?: number };
    return {
      id: e.id,
      index: m.index,
      status: e.status,
      values: m.values,
      family: arch.family,
      depth: typeof arch.depth === 'number' ? arch.depth : null,
      backend: e.backend,
      attempts: e.attempts,
      epochs: Math.max(r?.epochs ?? 0, e.status === 'running' ? (e.progress?.epoch ?? 1) - 1 : 0),
      epochsTotal: e.spec.training.epochs,
      final: r?.final ?? {},
      best: r?.best ?? {},
      reused: m.reused,
      error: e.error,
    };
  });
}

export interface TableQuery {
  status: string | null;
  /** axis path → the formatted value to keep. */
  axes: Record<string, string>;
  sort: string;
  dir: 'asc' | 'desc';
}

const AXIS_PREFIX = 'f.';

/** Filters and sort order from the URL: ?status=running&f.architecture.depth=20&sort=final:validation.error&dir=asc */
export function readTableQuery(search: URLSearchParams): TableQuery {
  const axes: Record<string, string> = {};
  for (const [key, value] of search)
    if (key.startsWith(AXIS_PREFIX) && value) axes[key.slice(AXIS_PREFIX.length)] = value;
  return {
    status: search.get('status') || null,
    axes,
    sort: search.get('sort') || 'index',
    dir: search.get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

export function axisParam(axis: string): string {
  return `${AXIS_PREFIX}${axis}`;
}

export function filterRows(rows: Row[], query: TableQuery): Row[] {
  return rows.filter(
    (r) =>
      (!query.status || r.status === query.status) &&
      Object.entries(query.axes).every(([axis, value]) => formatValue(r.values[axis]) === value),
  );
}

/**
 * A column's sort value. Columns: `index`, `status`, `backend`, `attempts`, `epochs`, `axis:<path>`,
 * `final:<metric>`, `best:<metric>`.
 */
export function sortValue(row: Row, column: string): number | string | null {
  const [kind, ...rest] = column.split(':');
  const arg = rest.join(':');
  switch (kind) {
    case 'index':
      return row.index;
    case 'status':
      return row.status;
    case 'backend':
      return row.backend;
    case 'attempts':
      return row.attempts;
    case 'epochs':
      return row.epochs;
    case 'axis': {
      const v = row.values[arg];
      return typeof v === 'number' ? v : v === null || v === undefined ? null : formatValue(v);
    }
    case 'final':
      return row.final[arg] ?? null;
    case 'best':
      return row.best[arg] ?? null;
    default:
      return null;
  }
}

/** Stable sort; rows without a value go last whichever the direction. */
export function sortRows(rows: Row[], column: string, dir: 'asc' | 'desc'): Row[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: sortValue(row, column) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
      return c === 0 ? a.i - b.i : sign * c;
    })
    .map((x) => x.row);
}

/** Each axis's distinct values (formatted), for the filter selects. */
export function axisOptions(rows: Row[], axes: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const axis of axes) {
    const values = [...new Set(rows.map((r) => r.values[axis]))];
    values.sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
    );
    out[axis] = values.map(formatValue);
  }
  return out;
}

/** The held-out split results are reported under: validation, or test when nothing was held out. */
export function heldOutSplit(summary: Summary | undefined): 'validation' | 'test' {
  const keys = summary?.experiments.flatMap((e) => Object.keys(e.final)) ?? [];
  return keys.some((k) => k.startsWith('validation.')) || !keys.some((k) => k.startsWith('test.'))
    ? 'validation'
    : 'test';
}

/**
 * Metric names offered by the picker: those with both a training and a held-out value (error and
 * loss first), then those recorded for training only (learning rate, images/s, epoch time).
 */
export function metricNames(summary: Summary | undefined): string[] {
  const keys = new Set(summary?.experiments.flatMap((e) => Object.keys(e.final)) ?? []);
  const held = heldOutSplit(summary);
  const names = [...keys].filter((k) => k.startsWith('train.')).map((k) => k.slice('train.'.length));
  const both = names.filter((n) => keys.has(`${held}.${n}`));
  const trainOnly = names.filter((n) => !keys.has(`${held}.${n}`)).sort();
  const ordered = ['error', 'loss', ...both.filter((n) => n !== 'error' && n !== 'loss').sort()];
  return both.length ? [...ordered.filter((n) => both.includes(n)), ...trainOnly] : ['error', 'loss'];
}

/** A metric recorded for the training split only (no held-out curve or column to show). */
export function isTrainOnly(summary: Summary | undefined, metric: string): boolean {
  const keys = summary?.experiments.flatMap((e) => Object.keys(e.final)) ?? [];
  return keys.includes(`train.${metric}`) && !keys.includes(`${heldOutSplit(summary)}.${metric}`);
}
