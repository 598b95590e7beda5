/**
 * Where a warm-started experiment's weights came from, and what of them it used: every weight
 * loaded or skipped (with why) and every layer frozen, so that a transfer run is never silent.
 */
import { Link } from '../../router';
import { Section } from '../../components/common';
import type { Experiment } from '../../api/types';

type Report = NonNullable<Experiment['initReport']>;

export function WarmStartReport({ report }: { report: Report }) {
  const { source } = report;
  return (
    <Section title="Warm start">
      <p data-testid="warm-start-summary">
        Started from <Link to={`/experiments/${source.experiment}`}>experiment {source.experiment.slice(0, 8)}</Link> at
        epoch {source.epoch}: {report.loaded.length} weight{report.loaded.length === 1 ? '' : 's'} loaded,{' '}
        {report.skipped.length} skipped, {report.frozen.length} layer{report.frozen.length === 1 ? '' : 's'} frozen.
      </p>
      {report.skipped.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Weights not loaded from the source</caption>
            <thead>
              <tr>
                <th scope="col">Weight not loaded</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {report.skipped.map((s) => (
                <tr key={s.name}>
                  <td>
                    <code>{s.name}</code>
                  </td>
                  <td>{s.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {report.frozen.length > 0 && (
        <p className="muted">
          Frozen: <code>{report.frozen.join(', ')}</code>
        </p>
      )}
    </Section>
  );
}
