import { ExperimentSpec } from '@resnet-lab/spec';
import { describe, expect, it } from 'vitest';
import { SPEC_SQL_PATHS } from '../src/index';

function at(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

describe('spec fields read by SQL', () => {
  it('exist in every parsed spec with the type the queries cast them to', () => {
    const specs = [
      ExperimentSpec.parse({}),
      ExperimentSpec.parse({ architecture: { family: 'cifar-resnet', depth: 20 }, training: { epochs: 7 } }),
    ];
    for (const spec of specs) {
      expect(typeof at(spec, SPEC_SQL_PATHS.epochs)).toBe('number');
      expect(typeof at(spec, SPEC_SQL_PATHS.family)).toBe('string');
      expect(['number', 'undefined']).toContain(typeof at(spec, SPEC_SQL_PATHS.depth));
    }
    expect(at(specs[1], SPEC_SQL_PATHS.epochs)).toBe(7);
    expect(at(specs[1], SPEC_SQL_PATHS.depth)).toBe(20);
  });
});
