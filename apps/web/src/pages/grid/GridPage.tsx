/**
 * One grid: status and controls, the degradation verdict, Fig. 4-style curves of the chosen
 * metric for the experiments the filters keep, and the experiment table. Grid id (path),
 * filters, sort and metric (query) are all in the URL.
 */
import { useMemo, useState } from 'react';
import { LiveIndicator, useLiveGrid } from '../../api/live-queries';
import { useCurves, useGrid, useGridMembers, useSummary } from '../../api/queries';
import { ErrorNotice, Loading, ProgressBar, Section, StatusBadge, StatusCounts } from '../../components/common';
import { formatDate, formatSeconds } from '../../format';
import { Link, setSearch, useLocation } from '../../router';
import { GridActions } from '../grids/GridActions';
import { AxisCharts } from './AxisCharts';
import { ExperimentTable } from './ExperimentTable';
import { curvesBy, GridCharts } from './GridCharts';
import { GroupTable, keptGroups } from './GroupTable';
import {
  axisOptions,
  buildRows,
  filterRows,
  heldOutSplit,
  isTrainOnly,
  metricNames,
  readTableQuery,
  sortRows,
} from './table-model';
import { degradationVerdict } from './verdict';

export function GridPage({ id }: { id: string }) {
  const { search } = useLocation();
  const gridQuery = useGrid(id, false);
  const grid = gridQuery.data;
  const live = useLiveGrid(id, grid?.done);
  const poll = live === 'polling' || (live === 'connecting' && grid?.done === false);
  // Polled only while the stream is down; otherwise the stream's events refresh them.
  const gridPolled = useGrid(id, poll);
  const members = useGridMembers(id, poll);
  const summary = useSummary(id, poll);
  const [selected, setSelected] = useState<Set<string>>(new Set());

  const query = readTableQuery(search);
  const metrics = metricNames(summary.data);
  const metric = metrics.includes(search.get('metric') ?? '') ? search.get('metric')! : metrics[0]!;
  const heldOut = heldOutSplit(summary.data);
  const trainOnly = isTrainOnly(summary.data, metric);
  const logScale = search.get('log') === '1';
  const groupBySeeds = search.get('group') === 'seeds';
  const allRows = useMemo(() => buildRows(members.data ?? [], summary.data), [members.data, summary.data]);
  const options = useMemo(() => axisOptions(allRows, grid?.axes ?? []), [allRows, grid?.axes]);
  const filterKey = search.toString();
  const rows = useMemo(
    () => sortRows(filterRows(allRows, query), query.sort, query.dir),
    // query is derived from the URL; filterKey stands for it.
    [allRows, filterKey],
  );
  const verdict = degradationVerdict(summary.data?.degradation);
  // The curves are the page's longest answers: asked for with the grid, not once it has arrived
  // (the charts below read the same queries).
  useCurves(id, `train.${metric}`, curvesBy(query), false);
  useCurves(id, `${heldOut}.${metric}`, curvesBy(query), false, !trainOnly);

  if (gridQuery.isPending) return <Loading what="the grid" />;
  if (!grid) return <ErrorNotice error={gridQuery.error} what={`grid ${id}`} />;
  const view = gridPolled.data ?? grid;
  const title = view.name ?? `Grid ${view.id.slice(0, 8)}`;
  const compareIds = [...selected].filter((s) => allRows.some((r) => r.id === s));

  return (
    <>
      <nav aria-label="breadcrumb" className="breadcrumb">
        <Link to="/">Grids</Link> / <span aria-current="page">{title}</span>
      </nav>
      <h1>{title}</h1>
      <div className="grid-header">
        <StatusBadge status={view.done && view.status === 'active' ? 'done' : view.status} />
        <StatusCounts counts={view.counts} />
        <ProgressBar value={view.progress} label="grid progress" />
        {view.etaSeconds !== null && (
          <span className="muted" data-testid="eta" title="estimated from the predicted seconds, over the active slots">
            about {formatSeconds(view.etaSeconds)} left
          </span>
        )}
        <LiveIndicator mode={live} />
      </div>
      <p className="muted small">
        {view.preset ? `Preset ${view.preset}` : 'Custom grid'} · created {formatDate(view.createdAt)} · priority{' '}
        {view.priority} · project {view.project} · id <code>{view.id}</code>
      </p>
      <GridActions grid={view} />

      <Section title="Degradation check">
        <p className={`verdict verdict-${verdict.tone}`} data-testid="verdict">
          {verdict.headline}
        </p>
        {verdict.details.length > 0 && (
          <ul className="verdict-details">
            {verdict.details.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        )}
      </Section>

      <Section
        title="Training curves"
        actions={
          <span className="section-controls">
            <label className="inline-label">
              Metric
              <select value={metric} onChange={(e) => setSearch({ metric: e.target.value })}>
                {metrics.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline-label">
              <input
                type="checkbox"
                checked={logScale}
                onChange={(e) => setSearch({ log: e.target.checked ? '1' : '' })}
              />
              log scale
            </label>
          </span>
        }
      >
        <p className="muted small">
          Thin lines: training {metric}
          {trainOnly ? ` (recorded for training only)` : `; bold lines: ${heldOut} ${metric}`}. One colour per{' '}
          {new Set(rows.map((r) => r.depth)).size > 1 ? 'depth' : 'configuration'}; shaded: mean ± std over seeds. Only
          the configurations the table's filters keep are drawn.
        </p>
        {members.isError && !members.data ? (
          <ErrorNotice error={members.error} what="the experiments" />
        ) : (
          <GridCharts
            gridId={id}
            rows={rows}
            query={query}
            metric={metric}
            heldOut={heldOut}
            trainOnly={trainOnly}
            logScale={logScale}
            poll={poll}
          />
        )}
      </Section>

      <Section title="Against the axes">
        <p className="muted small">
          Each configuration&apos;s {metric} (mean ± std over its finished seeds) against the grid&apos;s axes, for the
          experiments the table&apos;s filters keep.
        </p>
        <AxisCharts
          summary={summary.data}
          metric={metric}
          heldOut={heldOut}
          trainOnly={trainOnly}
          filters={query.axes}
          search={search}
        />
      </Section>

      <Section
        title="Experiments"
        actions={
          <span className="section-controls">
            <label className="inline-label">
              <input
                type="checkbox"
                checked={groupBySeeds}
                onChange={(e) => setSearch({ group: e.target.checked ? 'seeds' : '' })}
              />
              group over seeds
            </label>
            <Link
              to={`/compare?ids=${compareIds.join(',')}`}
              className={compareIds.length >= 2 ? 'button-link' : 'button-link disabled'}
              aria-disabled={compareIds.length < 2}
              onClick={(e) => compareIds.length < 2 && e.preventDefault()}
            >
              Compare selected ({compareIds.length})
            </Link>
          </span>
        }
      >
        {groupBySeeds ? (
          <GroupTable
            groups={keptGroups(summary.data, query.axes)}
            axes={view.axes}
            metric={metric}
            heldOut={heldOut}
          />
        ) : members.isPending ? (
          <Loading what="the experiments" />
        ) : (
          <ExperimentTable
            rows={rows}
            total={allRows.length}
            axes={view.axes}
            options={options}
            query={query}
            metric={metric}
            heldOut={heldOut}
            selected={selected}
            onSelect={(eid, on) =>
              setSelected((s) => {
                const next = new Set(s);
                if (on) next.add(eid);
                else next.delete(eid);
                return next;
              })
            }
          />
        )}
      </Section>
    </>
  );
}
