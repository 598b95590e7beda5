import { describe, expect, it } from 'vitest';
import { jsonLines, locateField, scanJson } from './json-locate';

const DOC = `{
  "name": "tiny",
  "base": {
    "architecture": { "family": "cifar-resnet" },
    "training": {
      "epochs": 1,
      "learningRate": -1
    }
  },
  "axes": {
    "architecture.depth": [8, 14],
    "training.seed": [0, 1]
  },
  "zip": [
    { "dataset": [{ "name": "synthetic" }] }
  ],
  "priority": 5000
}`;

describe('jsonLines / locateField', () => {
  const lines = jsonLines(DOC);

  it('knows the line of every key, axis names with dots included', () => {
    expect(lines.get('name')).toBe(2);
    expect(lines.get('base.training.learningRate')).toBe(7);
    expect(lines.get('axes.architecture.depth')).toBe(11);
    expect(lines.get('zip.0.dataset')).toBe(15);
  });

  it('places body fields, spec fields of grid points and unknown keys', () => {
    expect(locateField(lines, 'priority')).toBe(17);
    expect(locateField(lines, 'base.training.learningRate')).toBe(7);
    // A point error names the spec path: the base holds it here...
    expect(locateField(lines, 'training.learningRate')).toBe(7);
    // ...and the axes when the field is varied.
    expect(locateField(lines, 'architecture.depth')).toBe(11);
    // An unknown nested field is marked on the deepest object that exists.
    expect(locateField(lines, 'base.training.momentumm')).toBe(5);
    expect(locateField(lines, 'zip.0.dataset.0.name')).toBe(15);
    expect(locateField(lines, '(grid)')).toBeNull();
  });

  it('does not mistake a missing spec field for the whole base or axes object', () => {
    expect(locateField(jsonLines('{\n "base": {}\n}'), 'dataset.name')).toBeNull();
  });

  it('still maps the part of a broken document before the break', () => {
    const partial = jsonLines('{\n  "a": 1,\n  "b": [1,\n');
    expect(partial.get('a')).toBe(2);
    expect(partial.get('b')).toBe(3);
  });
});

describe('scanJson errors', () => {
  it('names the line where the text stops being JSON', () => {
    expect(scanJson('{\n  "a": 1,\n  "b": ,\n}').error).toEqual({ line: 3, message: 'expected a value' });
    expect(scanJson('{\n  "a": 1,\n}').error?.line).toBe(3);
    expect(scanJson('{\n  a: 1\n}').error).toEqual({ line: 2, message: 'expected a quoted key' });
    expect(scanJson('{ "a": tru }').error?.message).toBe('tru is not a JSON value');
    expect(scanJson('{}\n}').error?.line).toBe(2);
    expect(scanJson(DOC).error).toBeNull();
  });
});
