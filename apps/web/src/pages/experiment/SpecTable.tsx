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

/** The spec's fields, one small table per section (architecture, dataset, training) side by side. */
export function SpecTable({ spec }: { spec: object }) {
  const sections = new Map<string, [string, unknown][]>();
  for (const [field, value] of flattenSpec(spec)) {
    const [section = field, ...rest] = field.split('.');
    const rows = sections.get(section) ?? sections.set(section, []).get(section)!;
    rows.push([rest.join('.') || section, value]);
  }
  return (
    <div className="spec-sections">
      {[...sections.entries()].map(([section, rows]) => (
        <table key={section} className="spec-table">
          <caption>{section}</caption>
          <tbody>
            {rows.map(([field, value]) => (
              <tr key={field}>
                <th scope="row">
                  <code>{field}</code>
                </th>
                <td>{formatValue(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
