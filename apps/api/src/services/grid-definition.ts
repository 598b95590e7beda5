import {
  expandGrid,
  GridDefinition,
  GridError,
  presetGrid,
  type GridDefinitionInput,
  type GridExpansion,
  type GridSubmission,
} from '@resnet-lab/spec';
import { AppError } from '../errors';

/** Expands a submitted grid (its own, or a preset's with the body merged over it); 400 on bad points. */
export function expandSubmission(body: GridSubmission, maxExperiments: number): GridExpansion {
  const definition = resolveDefinition(body);
  try {
    return expandGrid(definition, { maxExperiments });
  } catch (error) {
    if (error instanceof GridError) throw new AppError('VALIDATION', error.message, error.errors);
    throw error;
  }
}

/** The body's own grid, or the preset's with the body's fields merged over it. */
function resolveDefinition(body: GridSubmission): GridDefinition {
  if (body.scale !== undefined && !body.preset) {
    throw new AppError('VALIDATION', 'scale applies to presets only', [
      { field: 'scale', message: 'scale needs preset' },
    ]);
  }
  const own: GridDefinitionInput = {
    base: body.base,
    axes: body.axes,
    zip: body.zip,
    exclude: body.exclude,
    ...(body.sample ? { sample: body.sample } : {}),
  };
  if (!body.preset) return GridDefinition.parse(own);
  const preset = presetGrid(body.preset, body.scale ?? 1);
  // The merge can break limits the body alone met (more zip groups or exclude rules in all).
  const merged = GridDefinition.safeParse({
    base: deepMerge(preset.base ?? {}, body.base),
    axes: { ...preset.axes, ...body.axes },
    zip: [...(preset.zip ?? []), ...body.zip],
    exclude: [...(preset.exclude ?? []), ...body.exclude],
    ...(body.sample ? { sample: body.sample } : {}),
  });
  if (!merged.success) {
    const errors = merged.error.issues.map((i) => ({
      field: i.path.join('.') || 'preset',
      message: `with preset ${body.preset}: ${i.message}`,
    }));
    throw new AppError('VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  return merged.data;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const left = out[key];
    const bothObjects = [left, value].every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    out[key] = bothObjects ? deepMerge(left as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}
