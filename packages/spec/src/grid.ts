import { z } from 'zod';
import { normalizeArchitecture, type ArchitectureSpec } from './architecture';
import { canonicalJson, ExperimentSpec, specHash } from './experiment';
import { resolveGridSources } from './grid-sources';

/**
 * Experiment grids: a base spec plus axes, expanded into one experiment spec per point. Shared by
 * the API (expansion, validation, dry runs) and the CLI (local checks before submitting).
 */

/** A field of the experiment spec, dotted: `architecture.depth`, `training.seed`, `dataset`. */
export const FieldPath = z
  .string()
  .regex(
    /^(name|architecture|dataset|training|init)(\.[A-Za-z][A-Za-z0-9]*)*$/,
    'a field path starts with name, architecture, dataset, training or init, e.g. architecture.depth',
  );

const AxisValues = z.array(z.unknown()).min(1).max(10_000);

export const GridSample = z
  .object({
    /** Points drawn at random (without replacement) after exclusion; all of them if fewer. */
    n: z.number().int().positive().max(1_000_000),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
  })
  .strict();

/** The shape of a grid, without submission options: what presets produce. */
export const GridDefinition = z
  .object({
    /** A partial experiment spec (defaults fill the rest); each point overrides its axis fields. */
    base: z.record(z.string(), z.unknown()).default({}),
    /** Cartesian axes: field path -> values. */
    axes: z.record(FieldPath, AxisValues).default({}),
    /** Groups of paths whose value lists have equal length and vary together, as one axis. */
    zip: z.array(z.record(FieldPath, AxisValues)).max(32).default([]),
    /** A point matching every entry of a rule is dropped; an array value matches any of its values. */
    exclude: z.array(z.record(FieldPath, z.unknown())).max(1_000).default([]),
    sample: GridSample.optional(),
  })
  .strict();
export type GridDefinition = z.infer<typeof GridDefinition>;
export type GridDefinitionInput = z.input<typeof GridDefinition>;

/** One dimension of the product: a single axis, or a zip group (several paths in lockstep). */
interface Dimension {
  paths: string[];
  /** values[i][p]: the value of paths[p] at position i. */
  values: unknown[][];
}

export interface GridFieldError {
  field: string;
  message: string;
  /** Index of the point in the expansion (before collapse), when the error is about one point. */
  index?: number;
  values?: Record<string, unknown>;
}

export class GridError extends Error {
  constructor(
    message: string,
    readonly errors: GridFieldError[],
  ) {
    super(message);
  }
}

export interface ExpandedPoint {
  /** Position among the expanded points (after exclusion and sampling, before collapse). */
  index: number;
  /** Axis path -> value; null where the axis does not apply to this point's network. */
  values: Record<string, unknown>;
  spec: ExperimentSpec;
  specHash: string;
  /** The values without seed axes, as canonical JSON: the point's group in a summary. */
  groupKey: string;
  /** Axes that do not apply here (a plain net has no shortcut kernel). */
  collapsed: string[];
  /**
   * The expansion index of the point whose checkpoint this one's warm start loads
   * (`init.from.point`): it runs once that one finished.
   */
  source?: number;
}

export interface GridExpansion {
  /** The distinct experiments, in expansion order. */
  points: ExpandedPoint[];
  axes: string[];
  /** Size of the full product, before exclusion. */
  total: number;
  excluded: number;
  /** Points dropped by sampling. */
  unsampled: number;
  /** Points that normalised to the spec of an earlier point (collapsed axes, duplicate values). */
  duplicates: number;
}

export interface ExpandOptions {
  /** Most distinct experiments a grid may hold. */
  maxExperiments: number;
  /** Most points enumerated before sampling, to bound the work of an enormous product. */
  maxProduct?: number;
  /** Most (point, exclude rule) pairs checked: the work of exclusion, known before it starts. */
  maxExcludeChecks?: number;
}

const DEFAULT_MAX_PRODUCT = 1_000_000;
/** A check is a few array reads, so ten million of them keep the API's event loop busy well under a second. */
const DEFAULT_MAX_EXCLUDE_CHECKS = 10_000_000;

/** A non-default value per option that normalisation may reset: resetting it shows the option does not apply. */
const PROBES: Partial<Record<keyof ArchitectureSpec, unknown>> = {
  shortcut: 'B',
  shortcutKernel: 3,
  padding: 'tf-same',
  skipVersion: 2,
  auxHeads: true,
  batchNorm: false,
};

export function isSeedPath(path: string): boolean {
  return path === 'training.seed';
}

/** Points in the grid's product, before exclusion and sampling: what expanding it costs. */
export function gridProductSize(definition: GridDefinition): number {
  return buildDimensions(definition).reduce((n, d) => n * d.values.length, 1);
}

/**
 * Expands, validates and collapses a grid. Throws GridError listing every bad point with its
 * field and values (nothing may be stored when one point is bad), or a structural problem.
 */
export function expandGrid(definition: GridDefinition, options: ExpandOptions): GridExpansion {
  const dimensions = buildDimensions(definition);
  const axes = dimensions.flatMap((d) => d.paths);
  const total = dimensions.reduce((n, d) => n * d.values.length, 1);
  const maxProduct = options.maxProduct ?? DEFAULT_MAX_PRODUCT;
  const limitField = definition.sample ? 'sample.n' : 'axes';
  if (total > maxProduct) {
    throw new GridError(`the grid's product has ${total} points; at most ${maxProduct} can be enumerated`, [
      { field: 'axes', message: `${total} points in the product; at most ${maxProduct} (narrow the axes)` },
    ]);
  }

  // Exclusion is checked point by point against every rule; its cost is known before it starts.
  const rules = definition.exclude.map((rule) => compileRule(rule, dimensions));
  const checks = total * rules.length;
  const maxChecks = options.maxExcludeChecks ?? DEFAULT_MAX_EXCLUDE_CHECKS;
  if (checks > maxChecks) {
    throw new GridError(`${rules.length} exclude rules over ${total} points are too many to check`, [
      {
        field: 'exclude',
        message:
          `${rules.length} rules x ${total} points = ${checks} checks; at most ${maxChecks} ` +
          '(narrow the axes or merge rules: a rule may list several values for a path)',
      },
    ]);
  }

  // Candidates are point numbers; values are built only for the points that are kept.
  const candidates: number[] = [];
  const positions = new Array<number>(dimensions.length);
  for (let i = 0; i < total; i++) {
    pointPositions(dimensions, i, positions);
    if (!rules.some((rule) => ruleMatches(rule, positions))) candidates.push(i);
  }
  const excluded = total - candidates.length;
  let chosenIndices = candidates;
  if (definition.sample && definition.sample.n < candidates.length) {
    chosenIndices = sampleWithoutReplacement(candidates, definition.sample.n, definition.sample.seed);
  }
  if (chosenIndices.length > options.maxExperiments) {
    throw new GridError(`the grid has ${chosenIndices.length} points; the maximum is ${options.maxExperiments}`, [
      {
        field: limitField,
        message:
          `${chosenIndices.length} points exceed the maximum grid size of ${options.maxExperiments}; ` +
          'narrow the axes, add exclude rules or sample',
      },
    ]);
  }
  const chosen = chosenIndices.map((i) => pointValues(dimensions, i));

  const errors: (GridFieldError & { raw: string })[] = [];
  const points: ExpandedPoint[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  chosen.forEach((values, index) => {
    const input = structuredClone(definition.base);
    for (const [path, value] of Object.entries(values)) setPath(input, path, value);
    // `init: null` on an axis is a point without a warm start (the source itself, or a from-scratch baseline).
    if (input.init === null) delete input.init;
    const parsed = ExperimentSpec.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.map(String).join('.') || '(spec)';
        errors.push({
          field,
          message: `point ${index} ${describeValues(values)}: ${issue.message}`,
          index,
          values,
          raw: issue.message,
        });
      }
      return;
    }
    const spec: ExperimentSpec = { ...parsed.data, architecture: normalizeArchitecture(parsed.data.architecture) };
    const hash = specHash(spec);
    if (seen.has(hash)) {
      duplicates++;
      return;
    }
    seen.add(hash);
    const collapsed = axes.filter((path) => !appliesTo(parsed.data.architecture, path));
    const shown = { ...values };
    for (const path of collapsed) shown[path] = null;
    points.push({ index, values: shown, spec, specHash: hash, groupKey: groupKey(shown), collapsed });
  });
  if (errors.length > 0) {
    const bad = new Set(errors.map((e) => e.index)).size;
    throw new GridError(`${bad} of ${chosen.length} points are invalid`, summarizeErrors(errors, chosen.length));
  }
  const sourceErrors = resolveGridSources(points, axes);
  if (sourceErrors.length > 0) {
    throw new GridError(`${sourceErrors.length} warm-start sources cannot be resolved`, sourceErrors.slice(0, 100));
  }
  return { points, axes, total, excluded, unsampled: candidates.length - chosen.length, duplicates };
}

/** Most point errors one answer lists; the rest are counted in a last entry. */
export const MAX_LISTED_ERRORS = 1_000;

/**
 * A mistake every point shares (a typo in the base) is reported once, not once per point; the
 * rest are listed per point, up to MAX_LISTED_ERRORS.
 */
function summarizeErrors(errors: (GridFieldError & { raw: string })[], points: number): GridFieldError[] {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(`${e.field}\u0000${e.raw}`, (counts.get(`${e.field}\u0000${e.raw}`) ?? 0) + 1);
  const out: GridFieldError[] = [];
  const reported = new Set<string>();
  let listed = 0;
  let unlisted = 0;
  for (const e of errors) {
    const key = `${e.field}\u0000${e.raw}`;
    if (points > 1 && counts.get(key) === points) {
      if (!reported.has(key)) out.push({ field: e.field, message: `every point: ${e.raw}` });
      reported.add(key);
    } else if (listed < MAX_LISTED_ERRORS) {
      const { raw: _raw, ...rest } = e;
      out.push(rest);
      listed++;
    } else {
      unlisted++;
    }
  }
  if (unlisted > 0) out.push({ field: '(grid)', message: `${unlisted} more point errors not listed` });
  return out;
}

/** Canonical JSON of a point's values without its seed axes. */
export function groupKey(values: Record<string, unknown>): string {
  return canonicalJson(Object.fromEntries(Object.entries(values).filter(([path]) => !isSeedPath(path))));
}

function buildDimensions(definition: GridDefinition): Dimension[] {
  const errors: GridFieldError[] = [];
  const owner = new Map<string, string>();
  const claim = (path: string, where: string) => {
    const earlier = owner.get(path);
    if (earlier) errors.push({ field: where, message: `${path} is already varied by ${earlier}` });
    else owner.set(path, where);
  };
  const dimensions: Dimension[] = [];
  for (const [path, values] of Object.entries(definition.axes)) {
    claim(path, `axes.${path}`);
    dimensions.push({ paths: [path], values: values.map((v) => [v]) });
  }
  definition.zip.forEach((group, g) => {
    const paths = Object.keys(group);
    if (paths.length === 0) {
      errors.push({ field: `zip.${g}`, message: 'a zip group needs at least one path' });
      return;
    }
    const length = group[paths[0]!]!.length;
    for (const path of paths) {
      claim(path, `zip.${g}.${path}`);
      if (group[path]!.length !== length) {
        errors.push({
          field: `zip.${g}.${path}`,
          message:
            `has ${group[path]!.length} values; ` +
            `every path of a zip group needs the same number (${paths[0]} has ${length})`,
        });
      }
    }
    dimensions.push({ paths, values: Array.from({ length }, (_, i) => paths.map((p) => group[p]![i])) });
  });
  definition.exclude.forEach((rule, r) => {
    for (const path of Object.keys(rule)) {
      if (!owner.has(path))
        errors.push({ field: `exclude.${r}.${path}`, message: `${path} is not an axis of this grid` });
    }
  });
  if (errors.length > 0) throw new GridError('the grid definition is inconsistent', errors);
  return dimensions;
}

/** Mixed-radix decoding: axes in declaration order, then zip groups; the last varies fastest, like nested loops. */
function pointPositions(dimensions: Dimension[], index: number, positions: number[]): void {
  let rest = index;
  for (let d = dimensions.length - 1; d >= 0; d--) {
    const size = dimensions[d]!.values.length;
    positions[d] = rest % size;
    rest = Math.floor(rest / size);
  }
}

function pointValues(dimensions: Dimension[], index: number): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const positions = new Array<number>(dimensions.length);
  pointPositions(dimensions, index, positions);
  dimensions.forEach((dim, d) => dim.paths.forEach((path, p) => (values[path] = dim.values[positions[d]!]![p])));
  return values;
}

/** An exclude rule as, for each dimension it constrains, which positions along it the rule matches. */
type CompiledRule = { dimension: number; matches: boolean[] }[];

/**
 * Compares the rule's values with each dimension's values once, so that checking a point is a few
 * array reads instead of serialising its values again for every rule. A path's wanted value may be
 * a list (any of them matches); paths of one zip group constrain the same dimension together.
 */
function compileRule(rule: Record<string, unknown>, dimensions: Dimension[]): CompiledRule {
  const byDimension = new Map<number, boolean[]>();
  for (const [path, wanted] of Object.entries(rule)) {
    const d = dimensions.findIndex((dim) => dim.paths.includes(path));
    const p = dimensions[d]!.paths.indexOf(path);
    const accepted = new Set((Array.isArray(wanted) ? wanted : [wanted]).map(canonicalJson));
    const previous = byDimension.get(d);
    byDimension.set(
      d,
      dimensions[d]!.values.map((v, i) => (previous ? previous[i]! : true) && accepted.has(canonicalJson(v[p]))),
    );
  }
  return [...byDimension].map(([dimension, matches]) => ({ dimension, matches }));
}

function ruleMatches(rule: CompiledRule, positions: number[]): boolean {
  return rule.every(({ dimension, matches }) => matches[positions[dimension]!]);
}

/** Seeded partial Fisher-Yates (mulberry32), kept in expansion order: the same seed draws the same points. */
function sampleWithoutReplacement<T>(items: T[], n: number, seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = items.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]!);
}

/** Sets a dotted path, creating objects on the way; a whole-object value replaces what was there. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = structuredClone(value);
}

/** Reads a dotted path; undefined where it does not exist. */
export function getPath(source: unknown, path: string): unknown {
  let node = source;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Whether the axis at `path` means anything for this network: an architecture option that
 * normalisation resets whatever its value (a plain net's shortcut) does not.
 */
function appliesTo(arch: ArchitectureSpec, path: string): boolean {
  const match = /^architecture\.([A-Za-z]+)$/.exec(path);
  if (!match) return true;
  const key = match[1] as keyof ArchitectureSpec;
  if (!(key in PROBES)) return true;
  const probe = { ...arch, [key]: PROBES[key] };
  return normalizeArchitecture(probe)[key] === PROBES[key];
}

function describeValues(values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([path, value]) => `${path}=${JSON.stringify(value)}`);
  return parts.length ? `(${parts.join(', ')})` : '(base)';
}
