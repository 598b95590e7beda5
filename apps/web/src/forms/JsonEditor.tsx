/**
 * A plain textarea with line numbers whose invalid lines are marked in place: a backdrop behind
 * the transparent textarea paints the marked lines, the gutter flags them, and the list below
 * says what is wrong with each (focusing a message selects its line).
 */
import { useId, useRef, type UIEvent } from 'react';

export interface LineError {
  /** 1-based; null for an error that belongs to no line (it is listed only). */
  line: number | null;
  field: string;
  message: string;
}

interface Props {
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors: LineError[];
  rows?: number;
}

export function JsonEditor({ label, value, onChange, errors, rows = 18 }: Props) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split('\n');
  const marked = new Set(errors.map((e) => e.line).filter((l): l is number => l !== null));

  const syncScroll = (e: UIEvent<HTMLTextAreaElement>) => {
    const { scrollTop, scrollLeft } = e.currentTarget;
    if (backdrop.current) {
      backdrop.current.scrollTop = scrollTop;
      backdrop.current.scrollLeft = scrollLeft;
    }
    if (gutter.current) gutter.current.scrollTop = scrollTop;
  };

  const goToLine = (line: number) => {
    const el = area.current;
    if (!el) return;
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    // Roughly centre the line; the exact height comes from the CSS line-height.
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 20;
    el.scrollTop = Math.max(0, (line - 4) * lineHeight);
  };

  return (
    <div className="json-editor">
      <label htmlFor={id}>{label}</label>
      <div className={`editor${errors.length ? ' editor-invalid' : ''}`}>
        <div className="editor-gutter" ref={gutter} aria-hidden="true">
          {lines.map((_, i) => (
            <div key={i} className={marked.has(i + 1) ? 'gutter-line gutter-error' : 'gutter-line'}>
              {marked.has(i + 1) ? '⚠ ' : ''}
              {i + 1}
            </div>
          ))}
        </div>
        <div className="editor-body">
          <div className="editor-backdrop" ref={backdrop} aria-hidden="true">
            {lines.map((text, i) => (
              <div key={i} className={marked.has(i + 1) ? 'backdrop-line backdrop-error' : 'backdrop-line'}>
                {text || ' '}
              </div>
            ))}
          </div>
          <textarea
            id={id}
            ref={area}
            className="editor-text"
            value={value}
            rows={rows}
            spellCheck={false}
            wrap="off"
            autoCapitalize="off"
            autoComplete="off"
            aria-invalid={errors.length > 0}
            aria-describedby={errors.length ? `${id}-errors` : undefined}
            onChange={(e) => onChange(e.target.value)}
            onScroll={syncScroll}
          />
        </div>
      </div>
      {errors.length > 0 && (
        <ul id={`${id}-errors`} className="field-errors" aria-label="problems in the JSON">
          {errors.map((e, i) => (
            <li key={i} data-field={e.field}>
              {e.line !== null ? (
                <button type="button" className="link-button" onClick={() => goToLine(e.line!)}>
                  line {e.line}
                </button>
              ) : (
                <span className="muted">no line</span>
              )}{' '}
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
