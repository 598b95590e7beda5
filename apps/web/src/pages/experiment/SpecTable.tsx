import { formatValue } from '../../charts/shape';

/** Leaves of a JSON object by dotted path (arrays stay whole), as the compare route flattens specs. */
export function flattenSpec(value: unknown, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenSpec(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.push([prefix, value]);
  }
  return out;
}

export function SpecTable({ spec }: { spec: Record<string, unknown> }) {
  return (
    <div className="table-wrap">
      <table className="spec-table">
        <caption className="visually-hidden">Experiment specification, every field with its value</caption>
        <tbody>
          {flattenSpec(spec).map(([field, value]) => (
            <tr key={field}>
              <th scope="row">
                <code>{field}</code>
              </th>
              <td>{formatValue(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
