import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetReader } from './dataset.files';
import { TrainingError } from './training.errors';

// root/ holds the allowed datasets; outside/ is a sibling the reader must never reach.
const base = mkdtempSync(join(tmpdir(), 'dataset-files-'));
const root = join(base, 'root');
const outside = join(base, 'outside');
mkdirSync(join(root, 'set'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(root, 'set', 'data.bin'), 'inside');
writeFileSync(join(outside, 'secret'), 'top secret');
symlinkSync(outside, join(root, 'escape'));
symlinkSync(join(outside, 'secret'), join(root, 'set', 'linked.bin'));
symlinkSync(join(root, 'set'), join(root, 'alias'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const reader = new DatasetReader({ roots: [root], maxFileBytes: 1024 });

describe('DatasetReader: dataset directories stay under the roots', () => {
  it('accepts a directory under a root, and a symlink that stays inside', async () => {
    await expect(reader.directory(join(root, 'set'))).resolves.toMatch(/\/root\/set$/);
    await expect(reader.directory(join(root, 'alias'))).resolves.toMatch(/\/root\/set$/);
    expect(Buffer.from(await reader.read(join(root, 'set', 'data.bin'))).toString()).toBe('inside');
  });

  it("refuses '..' segments even when they would land inside", async () => {
    await expect(reader.directory(`${root}/set/../set`)).rejects.toThrow("must not contain '..' segments");
    await expect(reader.directory(`${root}/../outside`)).rejects.toBeInstanceOf(TrainingError);
  });

  it('refuses an absolute path outside every root, and a relative one', async () => {
    await expect(reader.directory('/etc')).rejects.toThrow(`dataset directory /etc is outside the dataset roots`);
    await expect(reader.directory(`${root}-sibling`)).rejects.toThrow('is outside the dataset roots');
    await expect(reader.directory('set')).rejects.toThrow('must be an absolute path');
  });

  it('refuses a directory symlink that resolves outside the roots', async () => {
    await expect(reader.directory(join(root, 'escape'))).rejects.toThrow(
      `dataset directory ${join(root, 'escape')} resolves outside the dataset roots`,
    );
    await expect(reader.directory(join(root, 'escape'))).rejects.toMatchObject({ retryable: false });
  });

  it('refuses a file symlink that resolves outside, without echoing the file', async () => {
    const attempt = reader.read(join(root, 'set', 'linked.bin'));
    await expect(attempt).rejects.toThrow('resolves outside the dataset roots');
    await expect(reader.read(join(root, 'set', 'linked.bin'))).rejects.not.toThrow(/secret/);
    await expect(reader.read(join(root, 'escape', 'secret'))).rejects.toThrow('resolves outside the dataset roots');
    expect(await reader.isFile(join(root, 'set', 'linked.bin'))).toBe(false);
  });

  it('refuses a file over the size limit', async () => {
    writeFileSync(join(root, 'set', 'big.bin'), Buffer.alloc(1025));
    await expect(reader.read(join(root, 'set', 'big.bin'))).rejects.toThrow(
      `dataset file ${join(root, 'set', 'big.bin')} is 1025 bytes, over the limit of 1024 bytes`,
    );
  });
});
