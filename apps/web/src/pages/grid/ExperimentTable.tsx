/**
 * The grid's experiments: filters (status, each axis) and sort order live in the URL; column
 * headers are buttons (keyboard-sortable, aria-sort says the order); checkboxes pick runs to
 * compare.
 */
import { useId, useState } from 'react';
import { EXPERIMENT_STATUSES } from './statuses';
import { formatValue, shortAxis } from '../../charts/shape';
import { StatusBadge } from '../../components/common';
import { formatMetric } from '../../format';
import { Link, setSearch } from '../../router';
import { axisParam, type Row, type TableQuery } from './table-model';

const PAGE_ROWS = 100;

interface Props {
  rows: Row[];
  total: number;
  axes: string[];
  options: Record<string, string[]>;
  query: TableQuery;
  metric: string;
  heldOut: string;
  selected: Set<string>;
  onSelect: (id: string, on: boolean) => void;
}

export function ExperimentTable({ rows, total, axes, options, query, metric, heldOut, selected, onSelect }: Props) {
  const id = useId();
  // A page of rows at a time: a thousand-row table costs a second to draw on a small machine, and
  // sorting and filtering already bring the rows that matter to the top.
  const [shown, setShown] = useState(PAGE_ROWS);
  const columns: { key: string; label: string; title?: string }[] = [
    { key: 'index', label: '#' },
    { key: 'status', label: 'status' },
    ...axes.map((a) => ({ key: `axis:${a}`, label: shortAxis(a), title: a })),
    { key: `final:train.${metric}`, label: `final train ${metric}` },
    { key: `final:${heldOut}.${metric}`, label: `final ${heldOut} ${metric}` },
    { key: `best:${heldOut}.${metric}`, label: `best ${heldOut} ${metric}` },
    { key: 'epochs', label: 'epochs' },
    { key: 'backend', label: 'backend' },
    { key: 'attempts', label: 'attempts' },
  ];

  const sortBy = (key: string) =>
    setSearch({ sort: key, dir: query.sort === key && query.dir === 'asc' ? 'desc' : 'asc' });

  return (
    <>
      <div className="filters" role="group" aria-label="filter experiments">
        <label>
          Status
          <select value={query.status ?? ''} onChange={(e) => setSearch({ status: e.target.value })}>
            <option value="">any</option>
            {EXPERIMENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {axes.map((a) => (
          <label key={a} title={a}>
            {shortAxis(a)}
            <select value={query.axes[a] ?? ''} onChange={(e) => setSearch({ [axisParam(a)]: e.target.value })}>
              <option value="">any</option>
              {(options[a] ?? []).map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        ))}
        <span className="muted" role="status" id={`${id}-count`}>
          {rows.length} of {total} experiments
        </span>
      </div>
      <div className="table-wrap">
        <table className="experiments-table">
          <caption className="visually-hidden">Experiments of the grid; column headers sort</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">compare</span>
              </th>
              {columns.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={query.sort === c.key ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  <button type="button" className="sort-button" title={c.title} onClick={() => sortBy(c.key)}>
                    {c.label}
                    <span aria-hidden="true" className="sort-mark">
                      {query.sort === c.key ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, shown).map((r) => (
              <tr key={r.id} data-status={r.status}>
                <td>
                  <input
                    type="checkbox"
                    checked={selected.has(r.id)}
                    onChange={(e) => onSelect(r.id, e.target.checked)}
                    aria-label={`select experiment ${r.index} to compare`}
                  />
                </td>
                <td>
                  <Link to={`/experiments/${r.id}`} aria-label={`experiment ${r.index}`}>
                    {r.index}
                  </Link>
                </td>
                <td>
                  <StatusBadge status={r.status} />
                  {r.reused && <span className="muted small"> reused</span>}
                </td>
                {axes.map((a) => (
                  <td key={a}>{formatValue(r.values[a])}</td>
                ))}
                <td className="num">{formatMetric(r.final[`train.${metric}`])}</td>
                <td className="num">{formatMetric(r.final[`${heldOut}.${metric}`])}</td>
                <td className="num">{formatMetric(r.best[`${heldOut}.${metric}`])}</td>
                <td className="num">
                  {r.epochs}/{r.epochsTotal}
                </td>
                <td>{r.backend ?? '—'}</td>
                <td className="num">{r.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > shown && (
        <p className="table-more">
          <span className="muted">
            Showing {shown} of {rows.length}.
          </span>{' '}
          <button type="button" onClick={() => setShown((n) => n + PAGE_ROWS)}>
            Show {Math.min(PAGE_ROWS, rows.length - shown)} more
          </button>{' '}
          <button type="button" onClick={() => setShown(rows.length)}>
            Show all
          </button>
        </p>
      )}
    </>
  );
}
