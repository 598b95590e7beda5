/**
 * The editor's YAML: parsed to a request body, with the line of every key and sequence item (the
 * same dotted paths as json-locate.ts), so a field the API names is marked where the user wrote
 * it. The `yaml` package is loaded only when someone types YAML, keeping it out of the first load.
 */
import type { JsonScan } from './json-locate';

export interface YamlScan extends JsonScan {
  /** The document as plain data; undefined when it has an error. */
  value: unknown;
}

/** JSON starts with `{` or `[`; anything else in the editor is read as YAML. */
export function looksLikeJson(text: string): boolean {
  return /^\s*[{[]/.test(text);
}

export async function scanYaml(text: string): Promise<YamlScan> {
  const { LineCounter, parseDocument, isMap, isSeq, isScalar } = await import('yaml');
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const lines = new Map<string, number>();
  const lineOf = (offset: number) => counter.linePos(offset).line;

  const walk = (node: unknown, path: string, depth: number): void => {
    if (depth > 64) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = path ? `${path}.${key}` : key;
        const range = isScalar(pair.key) ? pair.key.range : undefined;
        if (range && !lines.has(child)) lines.set(child, lineOf(range[0]));
        walk(pair.value, child, depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, n) => {
        const child = path ? `${path}.${n}` : String(n);
        const range = (item as { range?: [number, number, number] } | null)?.range;
        if (range && !lines.has(child)) lines.set(child, lineOf(range[0]));
        walk(item, child, depth + 1);
      });
    }
  };
  walk(doc.contents, '', 0);

  const first = doc.errors[0];
  if (first) {
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { lines, error: { line: first.linePos?.[0].line ?? 1, message }, value: undefined };
  }
  return { lines, error: null, value: doc.toJS({ maxAliasCount: 100 }) };
}
