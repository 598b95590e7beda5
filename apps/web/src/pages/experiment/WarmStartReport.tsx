/**
 * Where a warm-started experiment's weights came from, and what of them it used: every weight
 * loaded or skipped (with why) and every layer frozen, so that a transfer run is never silent.
 */
import { Link } from '../../router';
import { Section } from '../../components/common';
import type { Experiment } from '../../api/types';

type Report = NonNullable<Experiment['initReport']>;

export function WarmStartReport({ report }: { report: Report }) {
  const { source, loaded, skipped, frozen } = report;
  const short = 'experiment' in source ? source.experiment.slice(0, 8) : '';
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return (
    <Section title="Warm start">
      <p data-testid="warm-start-summary">
        {'modelDir' in source ? (
          <>
            Started from the model in <code>{source.modelDir}</code>:{' '}
          </>
        ) : (
          <>
            Started from <Link to={`/experiments/${source.experiment}`}>experiment {short}</Link> at epoch{' '}
            {source.epoch}:{' '}
          </>
        )}
        {plural(loaded.length, 'weight')} loaded, {skipped.length} skipped, {plural(frozen.length, 'layer')} frozen.
      </p>
      {skipped.length > 0 && (
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
              {skipped.map((s) => (
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
      {frozen.length > 0 && (
        <p className="muted">
          Frozen: <code>{frozen.join(', ')}</code>
        </p>
      )}
    </Section>
  );
}
