import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelDirWeights } from './model-dir.reader';
import { TrainingError } from './training.errors';

const roots = mkdtempSync(join(tmpdir(), 'model-dir-'));
afterAll(() => rmSync(roots, { recursive: true, force: true }));
const access = { roots: [roots], maxFileBytes: 2 ** 20 };

let count = 0;
/** A model directory holding `model.json` with this manifest and a 2-float weight file. */
function modelDir(weightsManifest: unknown, shard = 'shard.bin'): string {
  const dir = join(roots, `m${count++}`);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest }));
  writeFileSync(join(dir, shard), Buffer.from(new Float32Array([1.5, -2]).buffer));
  return dir;
}
const weight = { name: 'dense/kernel', shape: [2], dtype: 'float32' };

async function failure(dir: string): Promise<TrainingError> {
  const error = await readModelDirWeights(dir, access).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TrainingError);
  expect((error as TrainingError).retryable).toBe(false);
  return error as TrainingError;
}

describe('readModelDirWeights', () => {
  it('reads float32 weights by name, with paths written plainly, as ./x or in a subfolder', async () => {
    for (const [path, file] of [
      ['shard.bin', 'shard.bin'],
      ['./shard.bin', 'shard.bin'],
      ['sub/shard.bin', 'sub/shard.bin'],
    ] as const) {
      const weights = await readModelDirWeights(modelDir([{ paths: [path], weights: [weight] }], file), access);
      expect(weights.get('dense/kernel')).toEqual({ shape: [2], data: new Float32Array([1.5, -2]) });
    }
  });

  it('refuses, without retry, a path leaving the directory, quantised weights and a malformed manifest', async () => {
    expect((await failure(modelDir([{ paths: ['../x.bin'], weights: [weight] }]))).message).toMatch(
      /weight path \.\.\/x\.bin leaves it/,
    );
    expect((await failure(modelDir([{ paths: ['/etc/passwd'], weights: [weight] }]))).message).toMatch(/leaves it/);
    const quantised = { ...weight, dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: 0 } };
    expect((await failure(modelDir([{ paths: ['shard.bin'], weights: [quantised] }]))).message).toMatch(
      /weight dense\/kernel is quantised; only unquantised float32 loads/,
    );
    expect((await failure(modelDir([{ paths: ['shard.bin'], weights: [{ name: 'w', shape: 'x' }] }]))).message).toMatch(
      /model\.json is not a TensorFlow\.js model \(weightsManifest\.0\.weights\.0\.shape: /,
    );
    expect((await failure(modelDir(undefined))).message).toMatch(/not a TensorFlow\.js model \(weightsManifest: /);
    expect((await failure(modelDir([{ paths: ['shard.bin'], weights: [{ ...weight, shape: [3] }] }]))).message).toMatch(
      /weight files end before dense\/kernel/,
    );
  });
});
