import { randomUUID } from 'node:crypto';
import { specHash, type ExpandedPoint, type GridExpansion } from '@resnet-lab/spec';

/** A point as the grid stores it: with its id chosen, and the experiment its warm start waits for. */
export type LinkedPoint = ExpandedPoint & { id?: string; waitsFor?: string };
export type LinkedExpansion = Omit<GridExpansion, 'points'> & { points: LinkedPoint[] };

/**
 * Turns each `init.from.point` into an ordinary source, `init.from.experiment`: the id of the
 * experiment its source point becomes (a new id chosen here, or the earlier experiment the source
 * reuses). The dependant's spec hash changes with it, so a dependant of a reused source may itself
 * be reused (a resubmitted grid); `lookup` finds succeeded experiments by hash, as for any point.
 * Sources are linked before their dependants, generation by generation.
 */
export async function linkGridSources(
  expansion: GridExpansion,
  reusable: Map<string, string>,
  lookup: (hashes: string[]) => Promise<Map<string, string>>,
): Promise<{ expansion: LinkedExpansion; reusable: Map<string, string> }> {
  if (!expansion.points.some((p) => p.source !== undefined)) return { expansion, reusable };
  const reuse = new Map(reusable);
  const byIndex = new Map<number, LinkedPoint>(expansion.points.map((p) => [p.index, { ...p }]));
  const idOf = (p: LinkedPoint) => reuse.get(p.specHash) ?? (p.id ??= randomUUID());
  let pending = [...byIndex.values()].filter((p) => p.source !== undefined);
  while (pending.length > 0) {
    // A point whose source is itself waiting to be linked waits for the next generation.
    const waiting = new Set(pending.map((p) => p.index));
    const ready = pending.filter((p) => !waiting.has(p.source!));
    if (ready.length === 0) throw new Error('warm-start sources form a cycle (the expansion should have refused it)');
    const fromReused: string[] = [];
    for (const p of ready) {
      const source = byIndex.get(p.source!)!;
      const from = p.spec.init!.from as { point: unknown; epoch: number | 'best' | 'last' };
      p.waitsFor = idOf(source);
      p.spec = { ...p.spec, init: { ...p.spec.init!, from: { experiment: p.waitsFor, epoch: from.epoch } } };
      p.specHash = specHash(p.spec);
      if (reuse.has(source.specHash)) fromReused.push(p.specHash);
    }
    // Only a dependant of an earlier experiment can have run before: look those up.
    for (const [hash, id] of fromReused.length > 0 ? await lookup(fromReused) : []) reuse.set(hash, id);
    const linked = new Set(ready);
    pending = pending.filter((p) => !linked.has(p));
  }
  const points = expansion.points.map((p) => byIndex.get(p.index)!);
  // A reused point keeps the earlier experiment's id; a fresh one the id its dependants name.
  for (const p of points) if (reuse.has(p.specHash)) delete p.id;
  return { expansion: { ...expansion, points }, reusable: reuse };
}
