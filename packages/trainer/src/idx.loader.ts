import { DatasetFileMissing, type DatasetReader } from './dataset.files';
import type { ImageSet } from './image-set.types';
import { TrainingError } from './training.errors';

/** IDX data type 0x08: unsigned byte, the only one image sets use. */
const IDX_UBYTE = 0x08;

const bad = (message: string) => new TrainingError(message, { retryable: false });

/**
 * Reads an IDX file, plain or gzipped, through `reader` (roots and size limit). `file` may name
 * either form: "train-images-idx3-ubyte" finds "train-images-idx3-ubyte.gz" when only that exists.
 * Returns the dimensions and the payload.
 */
export async function readIdx(
  file: string,
  reader: DatasetReader,
): Promise<{ path: string; dims: number[]; data: Uint8Array }> {
  const found = await readEitherSpelling(file, reader);
  const path = found.path;
  let bytes = found.bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = reader.gunzip(path, bytes);
  if (
    bytes.length < 4 ||
    bytes[0] !== 0 ||
    bytes[1] !== 0 ||
    bytes[2] !== IDX_UBYTE ||
    bytes[3]! < 1 ||
    bytes[3]! > 4
  ) {
    // The bytes found are not quoted: the file may be anything, and its contents are not ours to echo.
    throw bad(`${path}: not an IDX file of unsigned bytes (expected the magic number 0x000008NN)`);
  }
  const ndims = bytes[3]!;
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) throw bad(`${path}: truncated IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual < expected) {
    throw bad(
      `${path}: truncated: the header announces [${dims.join(', ')}] = ${expected} bytes of data, ` +
        `the file has ${actual}`,
    );
  }
  return { path, dims, data: bytes.subarray(headerLength, headerLength + expected) };
}

/**
 * An images file plus its labels file, checked against each other and against the shape the spec
 * declares (so that the model built from the spec fits the data).
 */
export async function readIdxImageSet(
  imagesFile: string,
  labelsFile: string,
  expected: { height: number; width: number; channels: number; classes: number },
  reader: DatasetReader,
): Promise<ImageSet> {
  const images = await readIdx(imagesFile, reader);
  const labels = await readIdx(labelsFile, reader);
  const [count, height, width, channels = 1] = images.dims;
  if (images.dims.length < 3)
    throw bad(`${images.path}: expected image dimensions [N, H, W] or [N, H, W, C], got [${images.dims.join(', ')}]`);
  if (height !== expected.height || width !== expected.width || channels !== expected.channels) {
    throw bad(
      `${images.path}: images are ${height}x${width}x${channels}, ` +
        `the dataset spec declares ${expected.height}x${expected.width}x${expected.channels}`,
    );
  }
  if (labels.dims.length !== 1)
    throw bad(`${labels.path}: expected a 1-dimensional labels file, got [${labels.dims.join(', ')}]`);
  if (labels.dims[0] !== count)
    throw bad(`${labels.path}: ${labels.dims[0]} labels for ${count} images in ${images.path}`);
  const out = new Int32Array(count!);
  for (let i = 0; i < count!; i++) {
    const label = labels.data[i]!;
    if (label >= expected.classes)
      throw bad(`${labels.path}: the label at index ${i} is not below the ${expected.classes} classes`);
    out[i] = label;
  }
  // Copy so the (possibly large) decompressed buffer with its header can be freed.
  return { images: images.data.slice(), labels: out, count: count!, height: height, width: width, channels };
}

async function readEitherSpelling(file: string, reader: DatasetReader): Promise<{ path: string; bytes: Uint8Array }> {
  const candidates = file.endsWith('.gz') ? [file, file.slice(0, -3)] : [file, `${file}.gz`];
  for (const path of candidates) {
    try {
      return { path, bytes: await reader.read(path) };
    } catch (err) {
      if (!(err instanceof DatasetFileMissing)) throw err;
    }
  }
  throw bad(`dataset file not found: ${candidates.join(' (nor ')}${candidates.length > 1 ? ')' : ''}`);
}
