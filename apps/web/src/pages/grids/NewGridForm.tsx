/**
 * Start a grid from a preset and a scale, or from a grid definition in JSON or YAML. Submitting
 * is two steps: the dry run's cost (experiments, reuse, estimated compute) is shown first, and
 * only the body that was costed can be started. A 400 marks each field it names: in the editor at
 * the field's line, in the preset form under the input.
 */
import { useId, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { useDryRun, usePresets, useSubmitGrid } from '../../api/queries';
import type { DryRun, FieldError } from '../../api/types';
import { JsonEditor, type LineError } from '../../forms/JsonEditor';
import { markFieldErrors, parseEditor } from '../../forms/field-errors';
import { navigate } from '../../router';
import { CostSummary } from './CostSummary';

export const EXAMPLE_GRID = `{
  "name": "tiny demo: plain vs residual",
  "base": {
    "dataset": { "name": "synthetic", "trainSize": 256, "testSize": 64, "imageSize": 8, "classes": 4 },
    "training": { "epochs": 3, "batchSize": 32 },
    "architecture": { "widthMultiplier": 0.25 }
  },
  "axes": {
    "architecture.family": ["cifar-plain", "cifar-resnet"],
    "architecture.depth": [8, 14]
  }
}
`;

const PRESET_FIELDS = ['preset', 'scale', 'priority', 'name'] as const;
type Mode = 'preset' | 'json';

export function NewGridForm() {
  const [mode, setMode] = useState<Mode>('preset');
  const [preset, setPreset] = useState('cifar/depth');
  const [scale, setScale] = useState('0.01');
  const [priority, setPriority] = useState('500');
  const [name, setName] = useState('');
  const [json, setJson] = useState(EXAMPLE_GRID);
  const [jsonErrors, setJsonErrors] = useState<LineError[]>([]);
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [costed, setCosted] = useState<{ body: unknown; cost: DryRun } | null>(null);
  const presets = usePresets();
  const dryRun = useDryRun();
  const submit = useSubmitGrid();
  const ids = useId();

  /** Any edit invalidates the shown cost: only what was costed can be started. */
  const edited =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setCosted(null);
    };

  const bodyOrErrors = async (): Promise<unknown> => {
    setFailure(null);
    setFieldErrors([]);
    setJsonErrors([]);
    if (mode === 'preset') {
      return {
        preset,
        scale: Number(scale),
        priority: Number(priority),
        ...(name.trim() ? { name: name.trim() } : {}),
      };
    }
    const parsed = await parseEditor(json);
    if ('errors' in parsed) {
      setJsonErrors(parsed.errors);
      return undefined;
    }
    return parsed.body;
  };

  const showError = (error: unknown) => {
    if (error instanceof ApiError && error.fieldErrors.length > 0) {
      if (mode === 'json') void markFieldErrors(json, error.fieldErrors).then(setJsonErrors);
      else setFieldErrors(error.fieldErrors);
      const n = error.fieldErrors.length;
      const where = mode === 'json' ? 'in the editor' : 'at the fields';
      setFailure(`The API rejected the grid: ${n} problem${n === 1 ? '' : 's'}, marked ${where}.`);
    } else {
      setFailure(errorMessage(error));
    }
  };

  const onEstimate = async (e: FormEvent) => {
    e.preventDefault();
    const body = await bodyOrErrors();
    if (body === undefined) return;
    try {
      setCosted({ body, cost: await dryRun.mutateAsync(body) });
    } catch (error) {
      setCosted(null);
      showError(error);
    }
  };

  const onStart = async () => {
    if (!costed) return;
    try {
      const result = await submit.mutateAsync(costed.body);
      navigate(`/grids/${result.grid.id}`);
    } catch (error) {
      showError(error);
    }
  };

  const errorFor = (field: string) => fieldErrors.filter((f) => f.field === field);
  const otherErrors = fieldErrors.filter((f) => !(PRESET_FIELDS as readonly string[]).includes(f.field));
  const described = (field: string) => (errorFor(field).length ? `${ids}-${field}-error` : undefined);
  const fieldError = (field: string) =>
    errorFor(field).length > 0 && (
      <span id={`${ids}-${field}-error`} className="field-error" data-field={field}>
        {errorFor(field)
          .map((f) => f.message)
          .join('; ')}
      </span>
    );

  // noValidate: the API is the one validator, and its errors are shown at each field.
  return (
    <form
      className="new-grid"
      noValidate
      onSubmit={(e) => void onEstimate(e)}
      aria-describedby={failure ? `${ids}-failure` : undefined}
    >
      <fieldset className="mode-switch">
        <legend>Start from</legend>
        {(['preset', 'json'] as const).map((m) => (
          <label key={m}>
            <input
              type="radio"
              name={`${ids}-mode`}
              value={m}
              checked={mode === m}
              onChange={() => {
                setMode(m);
                setCosted(null);
                setFailure(null);
              }}
            />
            {m === 'preset' ? 'a preset' : 'a grid definition (JSON or YAML)'}
          </label>
        ))}
      </fieldset>

      {mode === 'preset' ? (
        <div className="form-grid">
          <label>
            Preset
            <select
              value={preset}
              onChange={(e) => edited(setPreset)(e.target.value)}
              aria-invalid={errorFor('preset').length > 0}
              aria-describedby={described('preset') ?? `${ids}-preset-help`}
            >
              {(presets.data ?? [{ name: preset, description: '', source: '' }]).map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
            {fieldError('preset')}
          </label>
          <label>
            Scale (1 = the paper's size)
            <input
              type="number"
              inputMode="decimal"
              step="any"
              min="0"
              max="1"
              value={scale}
              onChange={(e) => edited(setScale)(e.target.value)}
              aria-invalid={errorFor('scale').length > 0}
              aria-describedby={described('scale')}
            />
            {fieldError('scale')}
          </label>
          <label>
            Priority (0–1000, higher runs sooner)
            <input
              type="number"
              inputMode="numeric"
              value={priority}
              onChange={(e) => edited(setPriority)(e.target.value)}
              aria-invalid={errorFor('priority').length > 0}
              aria-describedby={described('priority')}
            />
            {fieldError('priority')}
          </label>
          <label>
            Name (optional)
            <input
              type="text"
              value={name}
              onChange={(e) => edited(setName)(e.target.value)}
              aria-invalid={errorFor('name').length > 0}
              aria-describedby={described('name')}
            />
            {fieldError('name')}
          </label>
          <p id={`${ids}-preset-help`} className="muted form-help">
            {presets.data?.find((p) => p.name === preset)?.description}{' '}
            {presets.data?.find((p) => p.name === preset)?.source}
          </p>
          {otherErrors.length > 0 && (
            <ul className="field-errors">
              {otherErrors.map((f, i) => (
                <li key={i} data-field={f.field}>
                  <code>{f.field}</code>: {f.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <JsonEditor
          label="Grid definition (POST /v1/grids body, JSON or YAML)"
          value={json}
          onChange={edited(setJson)}
          errors={jsonErrors}
        />
      )}

      {failure && (
        <p id={`${ids}-failure`} className="notice notice-error" role="alert">
          {failure}
        </p>
      )}

      <div className="form-actions">
        <button type="submit" disabled={dryRun.isPending}>
          {dryRun.isPending ? 'Estimating…' : 'Estimate cost'}
        </button>
        {costed && (
          <button type="button" className="primary" onClick={() => void onStart()} disabled={submit.isPending}>
            {submit.isPending
              ? 'Starting…'
              : `Start ${costed.cost.experiments} experiment${costed.cost.experiments === 1 ? '' : 's'}`}
          </button>
        )}
      </div>
      {costed && <CostSummary cost={costed.cost} />}
    </form>
  );
}
