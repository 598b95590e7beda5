import {
  expandGrid,
  GridDefinition,
  GridError,
  gridProductSize,
  presetGrid,
  type GridDefinitionInput,
  type GridExpansion,
  type GridFieldError,
  type GridSubmission,
} from '@resnet-lab/spec';
import { AppError } from '../errors';
import { PoolBusyError, PoolTimeoutError, ThreadPool } from './thread-pool';

/**
 * Most JSON characters a grid's `base` may have. A spec is a few hundred; junk in it would be
 * cloned into every point before validation rejects it (minutes at 20,000 points).
 */
export const MAX_BASE_CHARS = 16_384;

/** Grids whose product has at most this many points expand inline: under ~50 ms, no thread hop. */
export const INLINE_EXPANSION_POINTS = 500;

/** Expands a submitted grid (its own, or a preset's with the body merged over it); 400 on bad points. */
export function expandSubmission(body: GridSubmission, maxExperiments: number): GridExpansion {
  const definition = resolveDefinition(body);
  checkBaseSize(definition);
  return gridErrorsAsValidation(() => expandGrid(definition, { maxExperiments }));
}

function checkBaseSize(definition: GridDefinition): void {
  const chars = JSON.stringify(definition.base).length;
  if (chars > MAX_BASE_CHARS) {
    throw new AppError('VALIDATION', `base is ${chars} characters of JSON; at most ${MAX_BASE_CHARS}`, [
      { field: 'base', message: `${chars} characters of JSON; a spec needs far fewer (at most ${MAX_BASE_CHARS})` },
    ]);
  }
}

/** A grid's own errors (bad points, structural problems such as zip groups of unequal length) are 400s. */
function gridErrorsAsValidation<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof GridError) throw new AppError('VALIDATION', error.message, error.errors);
    throw error;
  }
}

export interface GridExpander {
  /** expandSubmission, on a compute thread when the grid is large. */
  expand(body: GridSubmission, maxExperiments: number): Promise<GridExpansion>;
  close(): Promise<void>;
}

/**
 * Expansion off the event loop: validating a point costs ~0.1 ms, so a 20,000-point grid would
 * hold every other client for 2 s. Small grids (the common case, and every test) stay inline.
 * One thread, a few grids waiting; more is a 429 asking the client to retry.
 */
export function createGridExpander(options: { inlinePoints?: number; maxQueued?: number } = {}): GridExpander {
  const inlinePoints = options.inlinePoints ?? INLINE_EXPANSION_POINTS;
  const pool = new ThreadPool({
    entry: new URL('./grid-expansion-thread.ts', import.meta.url),
    size: 1,
    maxQueued: options.maxQueued ?? 8,
    timeoutMs: 120_000,
    idleMs: 120_000,
  });
  return {
    async expand(body, maxExperiments) {
      const definition = resolveDefinition(body);
      checkBaseSize(definition);
      // Sizing finds the structural errors too (they are 400s like the rest).
      if (gridErrorsAsValidation(() => gridProductSize(definition)) <= inlinePoints) {
        return gridErrorsAsValidation(() => expandGrid(definition, { maxExperiments }));
      }
      try {
        return await pool.run<GridExpansion>({ definition, maxExperiments });
      } catch (error) {
        throw expansionError(error);
      }
    },
    close: () => pool.close(),
  };
}

function expansionError(error: unknown): Error {
  const cause = (error as { cause?: { kind?: string; message?: string; errors?: GridFieldError[] } }).cause;
  if (cause?.kind === 'grid-error') return new AppError('VALIDATION', cause.message ?? 'invalid grid', cause.errors);
  if (error instanceof PoolBusyError) {
    return new AppError('TOO_MANY_REQUESTS', `${error.message}; try again shortly`, [
      { field: 'body', message: 'too many large grids are being expanded at once; retry shortly' },
    ]);
  }
  if (error instanceof PoolTimeoutError) return new AppError('UNAVAILABLE', 'expanding the grid took too long');
  return error instanceof Error ? error : new Error(String(error));
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
