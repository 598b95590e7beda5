import { Prisma } from '../generated/client';

/**
 * The fields of an experiment's stored spec (JSON) that SQL reads. Kept as paths in one place,
 * and a test checks each against the ExperimentSpec schema, so that renaming a spec field cannot
 * silently turn a query's value into NULL.
 */
export const SPEC_SQL_PATHS = {
  epochs: ['training', 'epochs'],
  family: ['architecture', 'family'],
  depth: ['architecture', 'depth'],
} as const satisfies Record<string, readonly string[]>;

/** `e.spec->'training'->>'epochs'` for alias `e` and path epochs: the field as text. */
export function specField(alias: string, field: keyof typeof SPEC_SQL_PATHS): Prisma.Sql {
  const path = SPEC_SQL_PATHS[field];
  const objects = path.slice(0, -1).map((key) => `->'${key}'`);
  return Prisma.raw(`${alias}.spec${objects.join('')}->>'${path[path.length - 1]!}'`);
}
