import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readIdx, readIdxImageSet } from './idx.loader';
import { TrainingError } from './training.errors';

const dir = mkdtempSync(join(tmpdir(), 'idx-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file of unsigned bytes with the given dimensions. */
function idx(dims: number[], data: number[]): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

const images = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 10);
const shape = { height: 2, width: 2, channels: 1, classes: 10 };

describe('IDX loader', () => {
  it('reads plain and gzipped files, finding the .gz when given the plain name', async () => {
    writeFileSync(join(dir, 'plain-images'), idx([3, 2, 2], images));
    writeFileSync(join(dir, 'plain-labels'), idx([3], [1, 2, 9]));
    writeFileSync(join(dir, 'zipped-images.gz'), gzipSync(idx([3, 2, 2], images)));
    writeFileSync(join(dir, 'zipped-labels.gz'), gzipSync(idx([3], [1, 2, 9])));
    const plain = await readIdxImageSet(join(dir, 'plain-images'), join(dir, 'plain-labels'), shape);
    const zipped = await readIdxImageSet(join(dir, 'zipped-images'), join(dir, 'zipped-labels'), shape);
    expect(plain.count).toBe(3);
    expect(Array.from(plain.images)).toEqual(images);
    expect(Array.from(plain.labels)).toEqual([1, 2, 9]);
    expect(zipped).toEqual(plain);
  });

  it('names the path of a missing file', async () => {
    const missing = join(dir, 'nope-images');
    await expect(readIdx(missing)).rejects.toThrow(missing);
    await expect(readIdx(missing)).rejects.toBeInstanceOf(TrainingError);
    await expect(readIdx(missing)).rejects.toMatchObject({ retryable: false });
  });

  it('rejects a wrong magic number, naming the path', async () => {
    const file = join(dir, 'wrong-magic');
    writeFileSync(file, Buffer.from([0x00, 0x00, 0x0d, 0x03, 0, 0, 0, 1]));
    await expect(readIdx(file)).rejects.toThrow(new RegExp(`${file}: wrong magic number 0x00000d03`));
  });

  it('rejects a truncated file, naming the path and the sizes', async () => {
    const file = join(dir, 'truncated');
    writeFileSync(file, idx([3, 2, 2], images.slice(0, 7)));
    await expect(readIdx(file)).rejects.toThrow(/truncated.*\[3, 2, 2\] = 12 bytes.*has 7/);
    await expect(readIdx(file)).rejects.toThrow(file);
  });

  it('rejects a corrupt gzip file', async () => {
    const file = join(dir, 'corrupt.gz');
    writeFileSync(file, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(readIdx(file)).rejects.toThrow(/corrupt\.gz: not a valid gzip file/);
  });

  it('checks images against labels and against the declared shape', async () => {
    writeFileSync(join(dir, 'two-labels'), idx([2], [1, 2]));
    await expect(readIdxImageSet(join(dir, 'plain-images'), join(dir, 'two-labels'), shape)).rejects.toThrow(
      /2 labels for 3 images/,
    );
    await expect(
      readIdxImageSet(join(dir, 'plain-images'), join(dir, 'plain-labels'), { ...shape, height: 28, width: 28 }),
    ).rejects.toThrow(/images are 2x2x1, the dataset spec declares 28x28x1/);
    await expect(
      readIdxImageSet(join(dir, 'plain-images'), join(dir, 'plain-labels'), { ...shape, classes: 5 }),
    ).rejects.toThrow(/label 9 at index 2 is not below the 5 classes/);
  });
});
