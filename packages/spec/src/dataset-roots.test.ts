import { describe, expect, it } from 'vitest';
import { DatasetSpec } from './dataset';
import { datasetDirProblem, isPlainFileName, normalizeAbsolutePath } from './dataset-roots';

const roots = ['/usr/share/datasets', '/data'];

describe('dataset directories, lexically', () => {
  it('accepts a root and anything below it, however spelled', () => {
    for (const dir of ['/data', '/data/', '/data/cifar', '/data//cifar/./bin/', '/usr/share/datasets/fashion-mnist/']) {
      expect(datasetDirProblem(dir, roots), dir).toBeNull();
    }
  });

  it("refuses '..' segments, even ones that would come back inside", () => {
    for (const dir of ['/data/../etc', '/data/cifar/../cifar', '/data/..']) {
      expect(datasetDirProblem(dir, roots), dir).toBe("must not contain '..' segments");
    }
    // A name that merely contains dots is a name.
    expect(datasetDirProblem('/data/..cifar../x', roots)).toBeNull();
  });

  it('refuses absolute paths outside every root, and relative paths', () => {
    expect(datasetDirProblem('/etc', roots)).toBe(
      'is outside the dataset roots (DATASET_ROOTS=/usr/share/datasets:/data)',
    );
    expect(datasetDirProblem('/data2/cifar', roots)).toMatch(/outside the dataset roots/);
    expect(datasetDirProblem('/', roots)).toMatch(/outside the dataset roots/);
    expect(datasetDirProblem('data/cifar', roots)).toMatch(/must be an absolute path/);
  });

  it('normalises absolute paths and refuses NUL', () => {
    expect(normalizeAbsolutePath('//a/./b//')).toBe('/a/b');
    expect(normalizeAbsolutePath('/a/\0b')).toBeNull();
  });

  it('takes only plain file names', () => {
    expect(['train-images-idx3-ubyte', 'train.gz', '..gz', '.hidden'].every(isPlainFileName)).toBe(true);
    expect(['../x', 'a/b', '/etc/shadow', '..', '.', 'a\\b', 'a\0'].some(isPlainFileName)).toBe(false);
  });
});

describe('DatasetSpec paths', () => {
  it("names dataset.dir for '..' or a relative dir, and the file field for a name with a slash", () => {
    const paths = (input: unknown) => {
      const r = DatasetSpec.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({ name: 'cifar10', dir: '/data/../etc' })).toEqual(['dir']);
    expect(paths({ name: 'fashion-mnist', dir: 'fashion' })).toEqual(['dir']);
    expect(paths({ name: 'idx', dir: '/data/x', testLabels: '../../etc/shadow' })).toEqual(['testLabels']);
    expect(paths({ name: 'idx', dir: '/etc', trainImages: 'shadow' })).toEqual([]);
  });
});
