/**
 * The experiment's network as its spec resolves it: parameters, multiply-adds per image and the
 * layer table (GET /v1/experiments/:id/model, computed analytically by the API).
 */
import { useModelDescription } from '../../api/queries';
import { ErrorNotice, Loading } from '../../components/common';
import { formatCount } from '../../format';

export function ModelSummary({ experimentId }: { experimentId: string }) {
  const model = useModelDescription(experimentId);
  if (model.isPending) return <Loading what="the model summary" />;
  if (!model.data) return <ErrorNotice error={model.error} what="the model summary" />;
  const m = model.data;
  const frozen = m.params - m.trainableParams;
  return (
    <>
      <dl className="facts">
        <dt>Parameters</dt>
        <dd title={m.params.toLocaleString('en')}>
          {formatCount(m.params)}
          {frozen > 0 && <span className="muted"> ({formatCount(frozen)} not trained: batch-norm statistics)</span>}
        </dd>
        <dt>FLOPs</dt>
        <dd title={m.flops.toLocaleString('en')}>{formatCount(m.flops)} multiply-adds per image (forward)</dd>
        <dt>Layers</dt>
        <dd>{m.layers.length}</dd>
      </dl>
      <details>
        <summary>Layer table</summary>
        <div className="table-wrap">
          <table className="layers-table">
            <caption className="visually-hidden">
              Layers of the network with their output shape, parameters and FLOPs
            </caption>
            <thead>
              <tr>
                <th scope="col">Layer</th>
                <th scope="col">Type</th>
                <th scope="col">Output</th>
                <th scope="col">Params</th>
                <th scope="col">FLOPs</th>
              </tr>
            </thead>
            <tbody>
              {m.layers.map((l) => (
                <tr key={l.name}>
                  <td>
                    <code>{l.name}</code>
                  </td>
                  <td>{l.type}</td>
                  <td className="nowrap">{l.outputShape.join('×')}</td>
                  <td className="num">{formatCount(l.params)}</td>
                  <td className="num">{formatCount(l.flops)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
