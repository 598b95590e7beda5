import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, loadCifar10 as loadCifar10With } from './cifar10.loader';
import { DatasetReader } from './dataset.files';
import { TrainingError } from './training.errors';

const root = mkdtempSync(join(tmpdir(), 'cifar-loader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const loadCifar10 = (dir: string) => loadCifar10With(dir, new DatasetReader({ roots: [root], maxFileBytes: 2 ** 20 }));

/** `count` records; record n has label n % 10 and pixel value (n + channel * 50 + p) % 256 at plane position p. */
function batch(count: number, first: number): Buffer {
  const out = Buffer.alloc(count * 3073);
  for (let n = 0; n < count; n++) {
    const base = n * 3073;
    out[base] = (first + n) % 10;
    for (let ch = 0; ch < 3; ch++)
      for (let p = 0; p < 1024; p++) out[base + 1 + ch * 1024 + p] = (first + n + ch * 50 + p) % 256;
  }
  return out;
}

function writeSet(dir: string) {
  mkdirSync(dir, { recursive: true });
  CIFAR10_TRAIN_FILES.forEach((f, i) => writeFileSync(join(dir, f), batch(2, i * 2)));
  writeFileSync(join(dir, CIFAR10_TEST_FILE), batch(3, 100));
}

describe('CIFAR-10 binary loader', () => {
  it('reads the five training batches and the test batch, converting planar RGB to NHWC', async () => {
    const dir = join(root, 'plain');
    writeSet(dir);
    const { train, test } = await loadCifar10(dir);
    expect(train.count).toBe(10);
    expect(test.count).toBe(3);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(test.labels)).toEqual([0, 1, 2]);
    expect([train.height, train.width, train.channels]).toEqual([32, 32, 3]);
    // Image 3 (batch 2, record 1), pixel (row 1, col 2) = plane position 34, channels R, G, B.
    const at = 3 * 3072 + 34 * 3;
    expect(Array.from(train.images.subarray(at, at + 3))).toEqual([
      (3 + 34) % 256,
      (3 + 50 + 34) % 256,
      (3 + 100 + 34) % 256,
    ]);
  });

  it('finds the batches inside cifar-10-batches-bin, where the official tarball unpacks', async () => {
    writeSet(join(root, 'tarball', 'cifar-10-batches-bin'));
    expect((await loadCifar10(join(root, 'tarball'))).train.count).toBe(10);
  });

  it('names the missing file', async () => {
    const dir = join(root, 'missing');
    writeSet(dir);
    rmSync(join(dir, 'data_batch_3.bin'));
    await expect(loadCifar10(dir)).rejects.toThrow(`dataset file not found: ${join(dir, 'data_batch_3.bin')}`);
    await expect(loadCifar10(dir)).rejects.toBeInstanceOf(TrainingError);
  });

  it('rejects a truncated batch, naming it', async () => {
    const dir = join(root, 'truncated');
    writeSet(dir);
    writeFileSync(join(dir, CIFAR10_TEST_FILE), batch(3, 0).subarray(0, 3073 * 2 + 100));
    await expect(loadCifar10(dir)).rejects.toThrow(
      new RegExp(`${join(dir, CIFAR10_TEST_FILE)}: truncated or not a CIFAR-10 binary batch`),
    );
  });

  it('rejects a file whose label bytes are not CIFAR-10 labels (e.g. CIFAR-100 or another format)', async () => {
    const dir = join(root, 'labels');
    writeSet(dir);
    const bad = batch(2, 0);
    bad[3073] = 42;
    writeFileSync(join(dir, 'data_batch_1.bin'), bad);
    await expect(loadCifar10(dir)).rejects.toThrow(/data_batch_1\.bin: record 1 has a label outside CIFAR-10's 0\.\.9/);
    await expect(loadCifar10(dir)).rejects.not.toThrow(/42/);
  });
});
