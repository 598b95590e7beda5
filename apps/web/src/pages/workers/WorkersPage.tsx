import { useEffect, useState } from 'react';
import { useWorkers, type WorkerEntry, type WorkerSlotEntry, type Workers } from '../../api/worker-queries';
import { ErrorNotice, Loading, ProgressBar, Section, StatusBadge } from '../../components/common';
import { formatDate, formatSeconds, shortId } from '../../format';
import { Link } from '../../router';

/** The current time, updated every `ms`: "n s ago" counts on between two polls. */
function useNow(ms = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function WorkersPage() {
  const workers = useWorkers();
  const now = useNow();
  // The API measured each heartbeat's age when it answered; the time since then is added here.
  const sinceAnswer = workers.dataUpdatedAt ? Math.max(0, now - workers.dataUpdatedAt) : 0;
  return (
    <>
      <h1>Workers</h1>
      <Section title="Worker processes">
        {workers.isPending ? (
          <Loading what="workers" />
        ) : workers.isError && !workers.data ? (
          <ErrorNotice error={workers.error} what="the workers" />
        ) : workers.data.workers.length === 0 ? (
          <p className="muted">
            No worker has registered yet (<code>npm run up</code> starts one).
          </p>
        ) : (
          <>
            <p className="muted small">
              A worker is <strong>lost</strong> once it has missed its heartbeat for its interval plus 1 to 2 s (killed,
              hung or cut off); stopped and lost workers are removed after a day.
            </p>
            <div className="table-wrap">
              <table className="workers-table">
                <caption className="visually-hidden">Worker processes, active first</caption>
                <thead>
                  <tr>
                    <th scope="col">Worker</th>
                    <th scope="col">Status</th>
                    <th scope="col">Slots</th>
                    <th scope="col">Last heartbeat</th>
                  </tr>
                </thead>
                <tbody>
                  {workers.data.workers.map((w) => (
                    <WorkerRow key={w.id} worker={w} ageMs={w.heartbeatAgeMs + sinceAnswer} />
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Section>
      <Section title="Queue">{workers.data && <QueueDepth queue={workers.data.queue} />}</Section>
    </>
  );
}

function WorkerRow({ worker: w, ageMs }: { worker: WorkerEntry; ageMs: number }) {
  return (
    <tr>
      <td data-label="Worker">
        <div>
          <strong className="break">{w.host}</strong>
          {w.name !== `${w.host}:${w.pid}` && <div className="break small">{w.name}</div>}
          <div className="muted small">
            pid {w.pid} · started {formatDate(w.startedAt)}
          </div>
        </div>
      </td>
      <td data-label="Status">
        <StatusBadge status={w.status} />
      </td>
      <td data-label="Slots">
        <ul className="slot-list" aria-label={`slots of ${w.host} pid ${w.pid}`}>
          {w.slots.map((slot) => (
            <SlotItem key={slot.index} slot={slot} />
          ))}
        </ul>
      </td>
      <td className="nowrap" data-label="Heartbeat">
        {w.status === 'stopped' ? (
          <>stopped {formatDate(w.stoppedAt)}</>
        ) : (
          <time dateTime={w.lastHeartbeatAt} title={formatDate(w.lastHeartbeatAt)}>
            {formatAgo(ageMs)}
          </time>
        )}
        <div className="muted small">every {formatSeconds(w.heartbeatMs / 1000)}</div>
      </td>
    </tr>
  );
}

function SlotItem({ slot }: { slot: WorkerSlotEntry }) {
  const job = slot.job;
  return (
    <li className="slot">
      <span className="slot-head">
        <span className="slot-label">{slot.label}</span>
        <span className="muted">{slot.backend ?? 'backend not known yet'}</span>
      </span>
      {job ? (
        <span className="slot-job">
          <Link to={`/experiments/${job.experimentId}`}>experiment {shortId(job.experimentId)}</Link>
          {job.gridId && (
            <span className="muted small">
              {' '}
              in <Link to={`/grids/${job.gridId}`}>grid {shortId(job.gridId)}</Link>
            </span>
          )}
          <span className="slot-progress">
            {job.progress !== null && (
              <ProgressBar value={job.progress} label={`progress of experiment ${shortId(job.experimentId)}`} />
            )}
            <span className="muted small">
              {job.epoch !== null ? `epoch ${job.epoch} of ${job.epochs ?? '?'}` : 'starting'}
              {' · '}
              {slot.imagesPerSecond !== null
                ? `${Math.round(slot.imagesPerSecond)} images/s`
                : 'images/s after an epoch'}
            </span>
          </span>
        </span>
      ) : (
        <span className="muted">idle</span>
      )}
    </li>
  );
}

function QueueDepth({ queue }: { queue: Workers['queue'] }) {
  return (
    <>
      <ul className="counts" aria-label="training jobs">
        <li className="count">
          <span className="count-n">{queue.waiting}</span> waiting
        </li>
        <li className="count">
          <span className="count-n">{queue.active}</span> running
        </li>
        <li className="count">
          <span className="count-n">{queue.delayed}</span> delayed (retry or hand-back)
        </li>
      </ul>
      {queue.byPriority.length > 0 && (
        <div className="table-wrap">
          <table className="queue-table">
            <caption className="visually-hidden">Waiting jobs by priority, first to run at the top</caption>
            <thead>
              <tr>
                <th scope="col">Priority</th>
                <th scope="col">Waiting jobs</th>
              </tr>
            </thead>
            <tbody>
              {queue.byPriority.map((p) => (
                <tr key={p.priority ?? 'none'}>
                  <td>{p.priority === null ? 'single experiments (run first)' : p.priority}</td>
                  <td>{p.waiting}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function formatAgo(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  return `${formatSeconds(seconds)} ago`;
}
