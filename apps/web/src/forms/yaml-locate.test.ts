import { describe, expect, it } from 'vitest';
import { locateField } from './json-locate';
import { looksLikeJson, scanYaml } from './yaml-locate';

const GRID = `name: tiny
base:
  dataset:
    name: synthetic
    trainSize: 96
  training:
    epochs: 1
    learningRate: -1
axes:
  architecture.family:
    - cifar-plain
    - cifar-resnet
`;

describe('scanYaml', () => {
  it('parses a grid and finds the line of every key and item', async () => {
    const scan = await scanYaml(GRID);
    expect(scan.error).toBeNull();
    expect(scan.value).toEqual({
      name: 'tiny',
      base: { dataset: { name: 'synthetic', trainSize: 96 }, training: { epochs: 1, learningRate: -1 } },
      axes: { 'architecture.family': ['cifar-plain', 'cifar-resnet'] },
    });
    expect(scan.lines.get('base.training.learningRate')).toBe(8);
    expect(scan.lines.get('axes.architecture.family.1')).toBe(12);
    // An API field path finds its line as it does in JSON: under base, or among the axes.
    expect(locateField(scan.lines, 'training.learningRate')).toBe(8);
    expect(locateField(scan.lines, 'architecture.family')).toBe(10);
  });

  it('reports a syntax error at its line, and a duplicate key', async () => {
    const broken = await scanYaml('base:\n  training:\n    epochs: [1, 2\n  other: 1\n');
    expect(broken.value).toBeUndefined();
    expect(broken.error?.line).toBeGreaterThanOrEqual(3);
    const duplicate = await scanYaml('name: a\nname: b\n');
    expect(duplicate.error).toMatchObject({ line: 2 });
  });

  it('tells JSON from YAML by the first character', () => {
    expect(looksLikeJson('  {"a": 1}')).toBe(true);
    expect(looksLikeJson('\n[1]')).toBe(true);
    expect(looksLikeJson('name: x')).toBe(false);
  });
});
