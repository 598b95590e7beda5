/**
 * One experiment: status, backend, attempts and error, live curves, checkpoints to download, the
 * activation maps of any layer ("Inside the network"), the spec.
 */
import { useMemo } from 'react';
import { errorMessage } from '../../api/client';
import { LiveIndicator, useLiveExperiment } from '../../api/live-queries';
import { isActive, useCancelExperiment, useCheckpoints, useExperiment, useMetrics } from '../../api/queries';
import { CurveChart } from '../../charts/CurveChart';
import { experimentLines } from '../../charts/experiment-lines';
import { ErrorNotice, Loading, ProgressBar, Section, StatusBadge } from '../../components/common';
import { formatBytes, formatDate, formatMetric, formatSeconds } from '../../format';
import { Link } from '../../router';
import { ActivationsSection } from './ActivationsSection';
import { ModelSummary } from './ModelSummary';
import { SpecTable } from './SpecTable';
import { StoppingDecisions } from './StoppingDecisions';
import { WarmStartReport } from './WarmStartReport';

export function ExperimentPage({ id }: { id: string }) {
  const first = useExperiment(id, false);
  const active = isActive(first.data);
  const live = useLiveExperiment(id, active);
  const poll = active && live !== 'live';
  const experiment = useExperiment(id, poll);
  const metrics = useMetrics(id, poll);
  const checkpoints = useCheckpoints(id, poll);
  const cancel = useCancelExperiment();

  const names = useMemo(() => {
    const all = new Set((metrics.data?.metrics ?? []).map((m) => m.name));
    return ['error', 'loss', 'images_per_second'].filter((n) => all.has(n));
  }, [metrics.data]);
  const throughput = useMemo(
    () =>
      (metrics.data?.metrics ?? [])
        .filter((m) => m.split === 'train' && m.name === 'images_per_second')
        .reduce<{ epoch: number; value: number } | null>((last, m) => (!last || m.epoch > last.epoch ? m : last), null),
    [metrics.data],
  );

  if (experiment.isPending) return <Loading what="the experiment" />;
  if (!experiment.data) return <ErrorNotice error={experiment.error} what={`experiment ${id}`} />;
  const e = experiment.data;
  const arch = e.spec.architecture as { family: string; depth?: number };
  const title = `${arch.family}${arch.depth ? `-${arch.depth}` : ''} on ${e.spec.dataset.name}`;
  const epoch = e.progress?.epoch ?? 0;
  const epochs = e.progress?.epochs ?? e.spec.training.epochs;
  const stoppedAt = e.stoppingDecisions?.find((d) => d.action === 'stop')?.epoch;

  return (
    <>
      <nav aria-label="breadcrumb" className="breadcrumb">
        <Link to="/">Grids</Link> / <span aria-current="page">Experiment {e.id.slice(0, 8)}</span>
      </nav>
      <h1>{title}</h1>
      <div className="grid-header">
        <StatusBadge status={e.status} />
        {e.status === 'running' && (
          <ProgressBar value={Math.max(0, epoch - 1) / Math.max(1, epochs)} label="training progress" />
        )}
        <LiveIndicator mode={active ? live : 'ended'} />
        {active && (
          <button type="button" onClick={() => cancel.mutate(e.id)} disabled={e.cancelRequested}>
            {e.cancelRequested ? 'Cancelling…' : 'Cancel experiment'}
          </button>
        )}
      </div>
      {cancel.isError && (
        <p className="notice notice-error" role="alert">
          {errorMessage(cancel.error)}
        </p>
      )}
      <dl className="facts">
        <dt>Backend</dt>
        <dd>
          {e.backend ?? 'not started yet'}
          {e.backendReason && <span className="muted small backend-reason"> — {e.backendReason}</span>}
        </dd>
        <dt>Throughput</dt>
        <dd>{throughput ? `${Math.round(throughput.value)} images/s (training, epoch ${throughput.epoch})` : '—'}</dd>
        <dt>Attempts</dt>
        <dd>{e.attempts}</dd>
        <dt>Worker</dt>
        <dd>{e.worker ?? '—'}</dd>
        <dt>Epoch</dt>
        <dd>
          {e.status === 'running'
            ? `${epoch} of ${epochs} (running)`
            : e.status === 'stopped'
              ? `stopped early after ${stoppedAt ?? epoch} of ${epochs}`
              : `${e.spec.training.epochs} planned`}
        </dd>
        <dt>Project</dt>
        <dd>{e.project}</dd>
        <dt>Created</dt>
        <dd>{formatDate(e.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{formatDate(e.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatDate(e.finishedAt)}</dd>
        <dt>Time</dt>
        <dd data-testid="time-vs-predicted">{timeVsPredicted(e)}</dd>
        <dt>Id</dt>
        <dd>
          <code>{e.id}</code>
        </dd>
      </dl>
      {e.error && (
        <p className="notice notice-error" role="alert">
          <strong>Last error{e.attempts > 1 ? ` (after ${e.attempts} attempts)` : ''}:</strong> {e.error}
        </p>
      )}

      {e.waitsFor && e.status === 'queued' && (
        <p className="notice" data-testid="waits-for">
          Waits for its warm-start source,{' '}
          <Link to={`/experiments/${e.waitsFor}`}>experiment {e.waitsFor.slice(0, 8)}</Link>, to finish before it is
          queued.
        </p>
      )}

      {e.initReport && <WarmStartReport report={e.initReport} />}

      {e.stoppingDecisions && e.stoppingDecisions.length > 0 && <StoppingDecisions decisions={e.stoppingDecisions} />}

      <Section title="Learning curves">
        {metrics.isError && !metrics.data ? (
          <ErrorNotice error={metrics.error} what="the metrics" />
        ) : names.length === 0 ? (
          <p className="muted">No epoch finished yet{active ? '; curves appear here as training goes.' : '.'}</p>
        ) : (
          <div className="charts">
            {names.map((name) => (
              <CurveChart
                key={name}
                title={`${name} per epoch`}
                yLabel={name}
                lines={experimentLines(metrics.data?.metrics ?? [], name)}
              />
            ))}
          </div>
        )}
      </Section>

      <Section title="Checkpoints">
        {checkpoints.isError && !checkpoints.data ? (
          <ErrorNotice error={checkpoints.error} what="the checkpoints" />
        ) : !checkpoints.data || checkpoints.data.checkpoints.length === 0 ? (
          <p className="muted">No checkpoint stored yet.</p>
        ) : (
          <>
            <div className="table-wrap">
              <table className="checkpoints-table">
                <caption className="visually-hidden">Stored checkpoints</caption>
                <thead>
                  <tr>
                    <th scope="col">Epoch</th>
                    <th scope="col">Validation error</th>
                    <th scope="col">Size</th>
                    <th scope="col">Saved</th>
                    <th scope="col">SHA-256</th>
                    <th scope="col">Download</th>
                  </tr>
                </thead>
                <tbody>
                  {checkpoints.data.checkpoints.map((c) => (
                    <tr key={c.epoch}>
                      <td className="num">{c.epoch}</td>
                      <td className="num">{formatMetric(c.validationError)}</td>
                      <td className="num">{formatBytes(c.size)}</td>
                      <td className="nowrap">{formatDate(c.createdAt)}</td>
                      <td>
                        <code title={c.sha256}>{c.sha256.slice(0, 12)}…</code>
                      </td>
                      <td>
                        <a href={`/v1/experiments/${e.id}/checkpoints/${c.epoch}`} download>
                          checkpoint-epoch-{c.epoch}.bin
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="muted small">
              The trained network as a TensorFlow.js model:{' '}
              <a href={`/v1/experiments/${e.id}/model/model.json`}>model.json</a> (load it with{' '}
              <code>tf.loadLayersModel(url)</code>).
            </p>
          </>
        )}
      </Section>

      {(checkpoints.data?.checkpoints.length ?? 0) > 0 && (
        <Section title="Inside the network">
          <ActivationsSection experimentId={e.id} />
        </Section>
      )}

      <Section title="Model">
        <ModelSummary experimentId={e.id} />
      </Section>

      <Section title="Specification">
        <SpecTable spec={e.spec} />
        <details>
          <summary>As JSON</summary>
          <pre className="spec-json">{JSON.stringify(e.spec, null, 2)}</pre>
        </details>
      </Section>
    </>
  );
}

/** Wall time taken (once finished) beside what the cost estimator predicted at submit. */
function timeVsPredicted(e: {
  startedAt: string | null;
  finishedAt: string | null;
  predictedSeconds: number | null;
}): string {
  const predicted = e.predictedSeconds === null ? 'no prediction' : `predicted ${formatSeconds(e.predictedSeconds)}`;
  if (!e.startedAt || !e.finishedAt) return predicted;
  const took = (Date.parse(e.finishedAt) - Date.parse(e.startedAt)) / 1000;
  return `took ${formatSeconds(took)}, ${predicted}`;
}
