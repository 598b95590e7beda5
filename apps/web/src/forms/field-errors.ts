import type { FieldError } from '../api/types';
import type { LineError } from './JsonEditor';
import { locateField, scanJson } from './json-locate';

/**
 * The JSON editor's text as a request body, or the errors to mark: a syntax error at its line,
 * or (after the API answered 400) each field error at the line of its field.
 */
export function parseEditor(text: string): { body: unknown } | { errors: LineError[] } {
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

export function markFieldErrors(text: string, errors: FieldError[]): LineError[] {
  const lines = scanJson(text).lines;
  return errors.map((e) => ({ line: locateField(lines, e.field), field: e.field, message: e.message }));
}
