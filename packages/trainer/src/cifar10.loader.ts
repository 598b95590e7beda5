import { join } from 'node:path';
import type { DatasetReader } from './dataset.files';
import type { ImageSet } from './image-set.types';
import { TrainingError } from './training.errors';

const SIDE = 32;
const PIXELS = SIDE * SIDE;
/** 1 label byte, then 1024 red, 1024 green, 1024 blue bytes, each plane row-major. */
const RECORD = 1 + 3 * PIXELS;
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';

const bad = (message: string) => new TrainingError(message, { retryable: false });

/**
 * CIFAR-10's binary version from `dir` (or from `dir/cifar-10-batches-bin`, where the official
 * tarball unpacks). Planar RGB is converted to the NHWC layout the models take.
 */
export async function loadCifar10(dir: string, reader: DatasetReader): Promise<{ train: ImageSet; test: ImageSet }> {
  const root = await batchesDir(dir, reader);
  const trainParts = [];
  for (const f of CIFAR10_TRAIN_FILES) trainParts.push(await readBatch(join(root, f), reader));
  return { train: concat(trainParts), test: await readBatch(join(root, CIFAR10_TEST_FILE), reader) };
}

/** `dir`, or its `cifar-10-batches-bin` when the batches are there; each one still checked by the reader. */
async function batchesDir(dir: string, reader: DatasetReader): Promise<string> {
  for (const candidate of [dir, join(dir, 'cifar-10-batches-bin')]) {
    if (await reader.isFile(join(candidate, CIFAR10_TEST_FILE))) return candidate;
  }
  return dir; // readBatch then names the missing file
}

export async function readBatch(path: string, reader: DatasetReader): Promise<ImageSet> {
  const bytes = await reader.read(path);
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw bad(
      `${path}: truncated or not a CIFAR-10 binary batch: ` +
        `${bytes.length} bytes is not a whole number of ${RECORD}-byte records`,
    );
  }
  const count = bytes.length / RECORD;
  const images = new Uint8Array(count * 3 * PIXELS);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const base = n * RECORD;
    const label = bytes[base]!;
    if (label > 9) throw bad(`${path}: record ${n} has a label outside CIFAR-10's 0..9 (wrong format?)`);
    labels[n] = label;
    const out = n * 3 * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      images[out + p * 3] = bytes[base + 1 + p]!;
      images[out + p * 3 + 1] = bytes[base + 1 + PIXELS + p]!;
      images[out + p * 3 + 2] = bytes[base + 1 + 2 * PIXELS + p]!;
    }
  }
  return { images, labels, count, height: SIDE, width: SIDE, channels: 3 };
}

function concat(parts: ImageSet[]): ImageSet {
  const count = parts.reduce((a, p) => a + p.count, 0);
  const images = new Uint8Array(count * 3 * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * 3 * PIXELS);
    labels.set(p.labels, at);
    at += p.count;
  }
  return { images, labels, count, height: SIDE, width: SIDE, channels: 3 };
}
