import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetReader } from './dataset.files';
import { readIdx as readIdxWith, readIdxImageSet as readSetWith } from './idx.loader';
import { TrainingError } from './training.errors';

const dir = mkdtempSync(join(tmpdir(), 'idx-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const reader = new DatasetReader({ roots: [dir], maxFileBytes: 2 ** 20 });
const readIdx = (file: string) => readIdxWith(file, reader);
const readIdxImageSet = (images: string, labels: string, expected: typeof shape) =>
  readSetWith(images, labels, expected, reader);

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
    await expect(readIdx(file)).rejects.toThrow(`${file}: not an IDX file of unsigned bytes`);
    // The bytes found are not echoed (a file's contents are not for error messages).
    await expect(readIdx(file)).rejects.not.toThrow(/0d03|0x00000d/i);
  });

  it('refuses a small .gz that inflates past the size limit (a gzip bomb)', async () => {
    const file = join(dir, 'bomb-images.gz');
    const bomb = gzipSync(Buffer.alloc(2 ** 20 + 1));
    expect(bomb.length).toBeLessThan(4096);
    writeFileSync(file, bomb);
    await expect(readIdx(file)).rejects.toThrow(`${file}: decompresses to more than the limit of 1048576 bytes (1 MiB`);
    await expect(readIdx(file)).rejects.toMatchObject({ retryable: false });
  });

  it('refuses a file larger than the size limit without reading it', async () => {
    const file = join(dir, 'huge-images');
    writeFileSync(file, Buffer.alloc(2 ** 20 + 1));
    await expect(readIdx(file)).rejects.toThrow(
      `dataset file ${file} is 1048577 bytes, over the limit of 1048576 bytes`,
    );
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
    ).rejects.toThrow(/the label at index 2 is not below the 5 classes/);
  });
});
