/**
 * Finds where a field named by the API (`training.learningRate`, `axes.architecture.depth`,
 * `zip.0.dataset`) sits in the JSON text the user typed, so the editor can mark that line. The
 * API names body fields by their path and grid points' errors by the experiment spec path, so a
 * spec path is looked for among the axes (a varied field) and then under `base`.
 */

export interface JsonScan {
  /** Dotted path of every key and array element → the 1-based line it starts on. */
  lines: Map<string, number>;
  /** Where the text stops being JSON (JSON.parse's own message has no position in current V8). */
  error: { line: number; message: string } | null;
}

export function scanJson(text: string): JsonScan {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;

  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) {
      if (text[i] === '\n') line++;
      i++;
    }
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text[i] === '\n') line++;
      i++;
    }
    i++; // closing quote
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return text.slice(start + 1, i - 1);
    }
  };
  const value = (path: string, depth: number): void => {
    if (depth > 64) throw new Error('too deep');
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      for (let first = true; ; first = false) {
        skipSpace();
        if (first && text[i] === '}') return void i++;
        if (text[i] !== '"') throw new Error('expected a quoted key');
        const keyLine = line;
        const key = readString();
        const child = path ? `${path}.${key}` : key;
        if (!lines.has(child)) lines.set(child, keyLine);
        skipSpace();
        if (text[i] !== ':') throw new Error('expected a colon');
        i++;
        value(child, depth + 1);
        skipSpace();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else throw new Error('expected , or }');
      }
    } else if (c === '[') {
      i++;
      for (let n = 0; ; n++) {
        skipSpace();
        if (n === 0 && text[i] === ']') return void i++;
        const child = path ? `${path}.${n}` : String(n);
        if (!lines.has(child)) lines.set(child, line);
        value(child, depth + 1);
        skipSpace();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else throw new Error('expected , or ]');
      }
    } else if (c === '"') {
      readString();
    } else {
      const start = i;
      while (i < text.length && !/[\s,}\]:]/.test(text[i]!)) i++;
      const token = text.slice(start, i);
      if (!/^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)$/.test(token)) {
        throw new Error(token ? `${token} is not a JSON value` : 'expected a value');
      }
    }
  };

  try {
    value('', 0);
    skipSpace();
    if (i < text.length) throw new Error('unexpected text after the end');
    return { lines, error: null };
  } catch (error) {
    // A broken document still yields the keys read before the break.
    return { lines, error: { line, message: (error as Error).message } };
  }
}

/** Dotted path of every key and array element in a JSON text → the 1-based line it starts on. */
export function jsonLines(text: string): Map<string, number> {
  return scanJson(text).lines;
}

/** The line to mark for an API field error, or null when the field is not in the text. */
export function locateField(lines: Map<string, number>, field: string): number | null {
  const candidates = [field, `axes.${field}`, `base.${field}`];
  // The deepest existing prefix: an unknown key is reported on the object that holds it.
  for (const candidate of candidates) {
    const parts = candidate.split('.');
    for (let n = parts.length; n > 0; n--) {
      const prefix = parts.slice(0, n).join('.');
      if (n < parts.length && (prefix === 'axes' || prefix === 'base') && candidate !== field) break;
      const found = lines.get(prefix);
      if (found !== undefined) return found;
    }
  }
  return null;
}
