/**
 * Compare experiments: pick them (ids in the URL), overlay their curves (one colour per
 * experiment; thin training, bold held-out), and list only the spec fields that differ.
 */
import { useQueries } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { keys, useCompare, useExperiments } from '../../api/queries';
import type { Experiment, Metrics } from '../../api/types';
import { CurveChart } from '../../charts/CurveChart';
import { formatValue, PALETTE, type Line } from '../../charts/shape';
import { ErrorNotice, Loading, Section, StatusBadge } from '../../components/common';
import { formatDate, formatMetric, shortId } from '../../format';
import { Link, setSearch, useLocation } from '../../router';
import { experimentLines } from '../../charts/experiment-lines';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function experimentName(e: Experiment): string {
  const arch = e.spec.architecture as { family: string; depth?: number };
  return `${arch.family}${arch.depth ? `-${arch.depth}` : ''} (${shortId(e.id)})`;
}

export function ComparePage() {
  const { search } = useLocation();
  const ids = (search.get('ids') ?? '').split(',').filter((s) => UUID.test(s));
  const metric = search.get('metric') === 'loss' ? 'loss' : 'error';
  const setIds = (next: string[]) => setSearch({ ids: [...new Set(next)].join(',') });
  const comparison = useCompare(ids);
  const metrics = useQueries({
    queries: ids.map((id) => ({
      queryKey: keys.metrics(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api<Metrics>(`/v1/experiments/${id}/metrics`, { signal }),
    })),
  });

  const experiments = comparison.data?.experiments ?? [];
  const lines: Line[] = experiments.flatMap((c, i) =>
    experimentLines(metrics[i]?.data?.metrics ?? [], metric, {
      colour: PALETTE[i % PALETTE.length]!,
      prefix: `${experimentName(c.experiment)} `,
      heldOutOnly: true,
    }),
  );

  return (
    <>
      <nav aria-label="breadcrumb" className="breadcrumb">
        <Link to="/">Grids</Link> / <span aria-current="page">Compare</span>
      </nav>
      <h1>Compare experiments</h1>
      <Picker ids={ids} setIds={setIds} />
      {ids.length < 2 ? (
        <p className="muted">Pick at least two experiments to compare.</p>
      ) : comparison.isPending ? (
        <Loading what="the comparison" />
      ) : comparison.isError ? (
        <ErrorNotice error={comparison.error} what="the comparison" />
      ) : (
        <>
          <Section
            title="Curves"
            actions={
              <label className="inline-label">
                Metric
                <select value={metric} onChange={(e) => setSearch({ metric: e.target.value })}>
                  <option value="error">error</option>
                  <option value="loss">loss</option>
                </select>
              </label>
            }
          >
            <p className="muted small">
              Thin lines: training; bold lines: validation (or test). One colour per experiment.
            </p>
            <div className="charts charts-wide">
              <CurveChart title={`${metric} per epoch`} yLabel={metric} lines={lines} height={300} />
            </div>
          </Section>
          <Section title="Spec fields that differ">
            {comparison.data.differences.length === 0 ? (
              <p>The specs are identical.</p>
            ) : (
              <div className="table-wrap">
                <table className="differences-table">
                  <caption className="visually-hidden">Spec fields whose values differ between the experiments</caption>
                  <thead>
                    <tr>
                      <th scope="col">field</th>
                      {experiments.map((c, i) => (
                        <th scope="col" key={c.experiment.id}>
                          <span
                            className="swatch"
                            aria-hidden="true"
                            style={{ borderTopColor: PALETTE[i % PALETTE.length] }}
                          />
                          {experimentName(c.experiment)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {comparison.data.differences.map((d) => (
                      <tr key={d.field}>
                        <th scope="row">
                          <code>{d.field}</code>
                        </th>
                        {d.values.map((v, i) => (
                          <td key={i}>{formatValue(v)}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
          <Section title="Results">
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Status and final metrics of each experiment</caption>
                <thead>
                  <tr>
                    <th scope="col">experiment</th>
                    <th scope="col">status</th>
                    <th scope="col">backend</th>
                    <th scope="col">epochs</th>
                    <th scope="col">final train {metric}</th>
                    <th scope="col">final validation {metric}</th>
                    <th scope="col">best validation {metric}</th>
                  </tr>
                </thead>
                <tbody>
                  {experiments.map((c) => (
                    <tr key={c.experiment.id}>
                      <td>
                        <Link to={`/experiments/${c.experiment.id}`}>{experimentName(c.experiment)}</Link>
                      </td>
                      <td>
                        <StatusBadge status={c.experiment.status} />
                      </td>
                      <td>{c.experiment.backend ?? '—'}</td>
                      <td className="num">{c.epochs}</td>
                      <td className="num">{formatMetric(c.final[`train.${metric}`])}</td>
                      <td className="num">
                        {formatMetric(c.final[`validation.${metric}`] ?? c.final[`test.${metric}`])}
                      </td>
                      <td className="num">
                        {formatMetric(c.best[`validation.${metric}`] ?? c.best[`test.${metric}`])}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
        </>
      )}
    </>
  );
}

/** The chosen experiments, removable; recent experiments to add; an id field for any other. */
function Picker({ ids, setIds }: { ids: string[]; setIds: (ids: string[]) => void }) {
  const recent = useExperiments();
  const [typed, setTyped] = useState('');
  const [typedError, setTypedError] = useState<string | null>(null);
  const formId = useId();
  const byId = new Map((recent.data?.items ?? []).map((e) => [e.id, e]));

  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    const id = typed.trim();
    if (!UUID.test(id)) {
      setTypedError('an experiment id looks like 3f2a…-…-…-…-… (a UUID)');
      return;
    }
    setTypedError(null);
    setTyped('');
    setIds([...ids, id]);
  };

  return (
    <Section title="Experiments to compare">
      {ids.length > 0 && (
        <ul className="chosen">
          {ids.map((id, i) => (
            <li key={id}>
              <span className="swatch" aria-hidden="true" style={{ borderTopColor: PALETTE[i % PALETTE.length] }} />
              {byId.get(id) ? experimentName(byId.get(id)!) : shortId(id)}
              <button
                type="button"
                className="link-button"
                onClick={() => setIds(ids.filter((x) => x !== id))}
                aria-label={`remove ${byId.get(id) ? experimentName(byId.get(id)!) : id} from the comparison`}
              >
                remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={onAdd} className="add-id">
        <label htmlFor={`${formId}-id`}>Add by id</label>
        <input
          id={`${formId}-id`}
          type="text"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          aria-invalid={typedError !== null}
          aria-describedby={typedError ? `${formId}-error` : undefined}
          placeholder="experiment id"
        />
        <button type="submit">Add</button>
        {typedError && (
          <span id={`${formId}-error`} className="field-error">
            {typedError}
          </span>
        )}
      </form>
      <details>
        <summary>Recent experiments</summary>
        {recent.isError ? (
          <ErrorNotice error={recent.error} what="recent experiments" />
        ) : (
          <ul className="recent">
            {(recent.data?.items ?? []).map((e) => (
              <li key={e.id}>
                <label>
                  <input
                    type="checkbox"
                    checked={ids.includes(e.id)}
                    onChange={(ev) => setIds(ev.target.checked ? [...ids, e.id] : ids.filter((x) => x !== e.id))}
                  />
                  {experimentName(e)} <StatusBadge status={e.status} />{' '}
                  <span className="muted small">{formatDate(e.createdAt)}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
      </details>
    </Section>
  );
}
