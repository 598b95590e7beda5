/** Small presentational pieces used on several pages. */
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';
import { formatPercent } from '../format';
import type { Grid } from '../api/types';

/** Status as a word with a colour; never colour alone. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  return (
    <span className="progress">
      <progress max={1} value={value} aria-label={label} />
      <span className="progress-text">{formatPercent(value)}</span>
    </span>
  );
}

const COUNT_ORDER = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'stopped'] as const;

export function StatusCounts({ counts }: { counts: Grid['counts'] }) {
  return (
    <ul className="counts" aria-label="experiments by status">
      {COUNT_ORDER.filter((s) => counts[s] > 0).map((s) => (
        <li key={s} className={`count count-${s}`}>
          <span className="count-n">{counts[s]}</span> {s}
        </li>
      ))}
      {counts.reused > 0 && <li className="count">({counts.reused} reused)</li>}
      {counts.total === 0 && <li className="count">no experiments</li>}
    </ul>
  );
}

export function ErrorNotice({ error, what }: { error: unknown; what: string }) {
  return (
    <p className="notice notice-error" role="alert">
      Could not load {what}: {errorMessage(error)}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="section">
      <div className="section-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
