import type { FieldError } from '../api/types';
import type { LineError } from './JsonEditor';
import { locateField, scanJson } from './json-locate';
import { looksLikeJson, scanYaml } from './yaml-locate';

/**
 * The editor's text (JSON, or YAML when it does not start with `{` or `[`) as a request body, or
 * the errors to mark: a syntax error at its line, or (after the API answered 400) each field
 * error at the line of its field.
 */
export async function parseEditor(text: string): Promise<{ body: unknown } | { errors: LineError[] }> {
  if (!looksLikeJson(text)) {
    const scan = await scanYaml(text);
    if (!scan.error) return { body: scan.value };
    return { errors: [{ line: scan.error.line, field: '(YAML)', message: `not valid YAML: ${scan.error.message}` }] };
  }
  try {
    return { body: JSON.parse(text) as unknown };
  } catch (error) {
    const scan = scanJson(text);
    return {
      errors: [
        {
          line: scan.error?.line ?? null,
          field: '(JSON)',
          message: scan.error ? `not valid JSON: ${scan.error.message}` : (error as Error).message,
        },
      ],
    };
  }
}

export async function markFieldErrors(text: string, errors: FieldError[]): Promise<LineError[]> {
  const lines = looksLikeJson(text) ? scanJson(text).lines : (await scanYaml(text)).lines;
  return errors.map((e) => ({ line: locateField(lines, e.field), field: e.field, message: e.message }));
}
