import { canonicalJson } from './experiment';
import type { ExpandedPoint, GridFieldError } from './grid';
import { resolveExperiment } from './resolved-experiment';

/** Axis paths that choose a warm start rather than the network or its training. */
const isInitPath = (path: string) => path === 'init' || path.startsWith('init.');

/**
 * Resolves each point's `init.from.point` to the point it names within the grid: the one whose
 * axis values equal the dependant's own with the named ones changed (axes under `init` aside, as
 * they are what differs between a source and its dependants). Sets `source` on each dependant to
 * the expansion index of its source; returns what cannot be resolved (no such point, a point of
 * other inputs, a cycle), each naming the field and the point.
 */
export function resolveGridSources(points: ExpandedPoint[], axes: readonly string[]): GridFieldError[] {
  const keyOf = (values: Record<string, unknown>) =>
    canonicalJson(Object.fromEntries(axes.filter((a) => !isInitPath(a)).map((a) => [a, values[a] ?? null])));
  // Points that differ only under `init` share a key (VGG's B from A and B from scratch).
  const byKey = new Map<string, ExpandedPoint[]>();
  for (const p of points) {
    const key = keyOf(p.values);
    const list = byKey.get(key);
    if (list) list.push(p);
    else byKey.set(key, [p]);
  }

  const errors: GridFieldError[] = [];
  const fail = (p: ExpandedPoint, message: string) =>
    errors.push({
      field: 'init.from.point',
      message: `point ${p.index}: ${message}`,
      index: p.index,
      values: p.values,
    });
  for (const p of points) {
    const from = p.spec.init?.from;
    if (!from || !('point' in from)) continue;
    const unknown = Object.keys(from.point).filter((path) => !axes.includes(path) || isInitPath(path));
    if (unknown.length > 0) {
      fail(p, `${unknown.join(', ')} ${unknown.length === 1 ? 'is not an axis' : 'are not axes'} of this grid`);
      continue;
    }
    const matches = byKey.get(keyOf({ ...p.values, ...from.point })) ?? [];
    if (matches.length === 1 && matches[0] === p) {
      fail(p, 'names the point itself');
      continue;
    }
    // Among points that differ only in their own warm start, the one trained from scratch.
    const candidates = matches.filter((q) => q !== p);
    const fromScratch = candidates.filter((q) => !q.spec.init);
    const chosen = fromScratch.length > 0 ? fromScratch : candidates;
    if (chosen.length === 0) {
      fail(p, `no point of this grid has ${canonicalJson(from.point)} with this point's other values`);
      continue;
    }
    if (chosen.length > 1) {
      const which = chosen.map((q) => q.index).join(', ');
      fail(p, `${canonicalJson(from.point)} matches points ${which}; name an axis that tells them apart`);
      continue;
    }
    const source = chosen[0]!;
    const input = inputOf(p);
    if (inputOf(source) !== input) {
      fail(p, `its source (point ${source.index}) takes ${inputOf(source)} inputs; this network takes ${input}`);
      continue;
    }
    p.source = source.index;
  }
  if (errors.length > 0) return errors;

  // A chain must end: following sources from any point never comes back to it.
  const byIndex = new Map(points.map((p) => [p.index, p]));
  for (const start of points) {
    const seen = new Set<number>([start.index]);
    for (let at = start.source; at !== undefined; at = byIndex.get(at)?.source) {
      if (seen.has(at)) {
        fail(start, 'its warm-start sources form a cycle');
        break;
      }
      seen.add(at);
    }
  }
  return errors;
}

function inputOf(p: ExpandedPoint): string {
  const a = resolveExperiment(p.spec).architecture;
  return `${a.inputSize}x${a.inputSize}x${a.inputChannels}`;
}
