/**
 * What the grid's early-stopping rule decided about this experiment, each decision with the numbers
 * it rested on, so that a stopped run can be checked rather than taken on trust.
 */
import { Section } from '../../components/common';
import { formatMetric } from '../../format';
import type { Experiment } from '../../api/types';

type Decision = NonNullable<Experiment['stoppingDecisions']>[number];

export function StoppingDecisions({ decisions }: { decisions: Decision[] }) {
  const stop = decisions.find((d) => d.action === 'stop');
  return (
    <Section title="Early stopping">
      {stop && (
        <p className="notice" data-testid="stopped-early">
          Stopped after epoch {stop.epoch} by the grid&apos;s {stop.rule === 'asha' ? 'ASHA' : 'median'} rule:{' '}
          {stop.metric} {formatMetric(stop.value)} was behind the cutoff {formatMetric(stop.cutoff)} set by{' '}
          {stop.compared} other member{stop.compared === 1 ? '' : 's'}.
        </p>
      )}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Early-stopping decisions</caption>
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col">Rule</th>
              <th scope="col">Metric</th>
              <th scope="col">Value</th>
              <th scope="col">Cutoff</th>
              <th scope="col">Compared with</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((d, i) => (
              // Decisions are appended and never reordered: the position is a stable key.
              <tr key={i}>
                <td>{d.epoch}</td>
                <td>{d.rule}</td>
                <td>{d.metric}</td>
                <td>{formatMetric(d.value)}</td>
                <td>{d.cutoff === null ? 'none (first to get here)' : formatMetric(d.cutoff)}</td>
                <td>{d.compared}</td>
                <td>{d.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
