import { createHash } from 'node:crypto';
import type { RngState } from './seeded.rng';
import type { ScheduleState } from './lr.schedule';
import { TrainingError } from './training.errors';

/**
 * Checkpoint bytes, self-describing:
 *   8 bytes  magic "RLCKPT01"
 *   4 bytes  header length L (uint32, little endian)
 *   L bytes  header, UTF-8 JSON (CheckpointHeader)
 *   padding to a multiple of 4
 *   blobs    float32 / uint32 arrays, little endian, at the offsets the header gives (from blob start)
 * Everything needed to continue exactly: all model weights (batch-norm moving statistics included),
 * the momentum buffers, epoch and iteration, the RNG states and the data order of the next epoch,
 * the warm-up state, and the input normalisation the network was trained with (optional: older
 * checkpoints lack it).
 */
const MAGIC = 'RLCKPT01';
export const CHECKPOINT_FORMAT_VERSION = 1;

export interface BlobRef {
  name: string;
  shape: number[];
  dtype: 'float32' | 'uint32';
  offset: number;
  length: number;
}

export interface CheckpointHeader {
  format: 'resnet-lab-checkpoint';
  version: number;
  /** Epochs completed (1-based number of the last finished epoch). */
  epoch: number;
  /** Iterations completed since the start of the run. */
  globalStep: number;
  specHash: string;
  backend: string;
  /** The backend's numerics (engine version, ISA, threads); absent in older checkpoints. */
  numerics?: string;
  /** The native engine's OpenMP threads, which its numerics depend on; absent on other backends. */
  threads?: number;
  rng: { order: RngState; augment: RngState; dropout: RngState };
  schedule: ScheduleState;
  /** Best validation error so far and its epoch, for the worker's keep-best policy. */
  best: { epoch: number; validationError: number } | null;
  weights: BlobRef[];
  velocities: BlobRef[];
  /** Permutation of the training set for the next epoch. */
  dataOrder: BlobRef;
  /** value = (byte - offset[i]) x scale[i] over the HWC image, fitted on the training split. */
  normalization?: { kind: string; offset: BlobRef; scale: BlobRef };
}

/** The input normalisation a network was trained with (normalization.stats.ts). */
export interface StoredNormalizer {
  /** The dataset spec's `normalization`: per-pixel-mean, per-channel, unit-range. */
  kind: string;
  offset: Float32Array;
  scale: Float32Array;
}

export interface CheckpointContent {
  header: Omit<CheckpointHeader, 'format' | 'version' | 'weights' | 'velocities' | 'dataOrder' | 'normalization'>;
  weights: { name: string; shape: number[]; data: Float32Array }[];
  velocities: Float32Array[];
  dataOrder: Uint32Array;
  normalizer?: StoredNormalizer;
}

export interface DecodedCheckpoint {
  header: CheckpointHeader;
  weights: Float32Array[];
  velocities: Float32Array[];
  dataOrder: Uint32Array;
  /** Null in checkpoints written before it was stored. */
  normalizer: StoredNormalizer | null;
}

export function encodeCheckpoint(c: CheckpointContent): { bytes: Uint8Array; sha256: string } {
  let offset = 0;
  const ref = (name: string, shape: number[], dtype: BlobRef['dtype'], length: number): BlobRef => {
    const r = { name, shape, dtype, offset, length };
    offset += length * 4;
    return r;
  };
  const weights = c.weights.map((w) => ref(w.name, w.shape, 'float32', w.data.length));
  const velocities = c.velocities.map((v, i) =>
    ref(`velocity/${c.weights[i]?.name ?? i}`, [v.length], 'float32', v.length),
  );
  const dataOrder = ref('dataOrder', [c.dataOrder.length], 'uint32', c.dataOrder.length);
  const n = c.normalizer;
  const normalization = n && {
    kind: n.kind,
    offset: ref('normalization/offset', [n.offset.length], 'float32', n.offset.length),
    scale: ref('normalization/scale', [n.scale.length], 'float32', n.scale.length),
  };
  const header: CheckpointHeader = {
    format: 'resnet-lab-checkpoint',
    version: CHECKPOINT_FORMAT_VERSION,
    ...c.header,
    weights,
    velocities,
    dataOrder,
    ...(normalization ? { normalization } : {}),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const blobStart = align4(8 + 4 + headerBytes.length);
  const bytes = new Uint8Array(blobStart + offset);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, headerBytes.length, true);
  bytes.set(headerBytes, 12);
  const write = (r: BlobRef, data: Float32Array | Uint32Array) => {
    // Explicit little-endian writes: the bytes must not depend on the machine that wrote them.
    const base = blobStart + r.offset;
    if (data instanceof Float32Array)
      for (let i = 0; i < data.length; i++) view.setFloat32(base + i * 4, data[i]!, true);
    else for (let i = 0; i < data.length; i++) view.setUint32(base + i * 4, data[i]!, true);
  };
  c.weights.forEach((w, i) => write(weights[i]!, w.data));
  c.velocities.forEach((v, i) => write(velocities[i]!, v));
  write(dataOrder, c.dataOrder);
  if (n && normalization) {
    write(normalization.offset, n.offset);
    write(normalization.scale, n.scale);
  }
  return { bytes, sha256: sha256Hex(bytes) };
}

function fail(why: string): never {
  throw new TrainingError(`not a usable resnet-lab checkpoint: ${why}`, { retryable: false });
}

/** The header alone, without copying any blob (the worker reads the thread count a resume needs). */
export function readCheckpointHeader(bytes: Uint8Array): { header: CheckpointHeader; blobStart: number } {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail('wrong magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) fail(`truncated header (${bytes.length} bytes)`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as CheckpointHeader;
  } catch (err) {
    return fail(`header is not JSON (${(err as Error).message})`);
  }
  if (header.format !== 'resnet-lab-checkpoint' || header.version !== CHECKPOINT_FORMAT_VERSION) {
    fail(`format ${header.format} version ${header.version}, expected version ${CHECKPOINT_FORMAT_VERSION}`);
  }
  return { header, blobStart: align4(12 + headerLength) };
}

export function decodeCheckpoint(bytes: Uint8Array): DecodedCheckpoint {
  const { header, blobStart } = readCheckpointHeader(bytes);
  const read = blobReader(bytes, blobStart);
  return {
    header,
    weights: header.weights.map((r) => read(r) as Float32Array),
    velocities: header.velocities.map((r) => read(r) as Float32Array),
    dataOrder: read(header.dataOrder) as Uint32Array,
    normalizer: normalizerOf(header, read),
  };
}

/** The normalisation alone, without copying the weights (a resume needs it before the model). */
export function readCheckpointNormalizer(bytes: Uint8Array): StoredNormalizer | null {
  const { header, blobStart } = readCheckpointHeader(bytes);
  return normalizerOf(header, blobReader(bytes, blobStart));
}

function normalizerOf(header: CheckpointHeader, read: (r: BlobRef) => Float32Array | Uint32Array) {
  const n = header.normalization;
  return n ? { kind: n.kind, offset: read(n.offset) as Float32Array, scale: read(n.scale) as Float32Array } : null;
}

function blobReader(bytes: Uint8Array, blobStart: number): (r: BlobRef) => Float32Array | Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (r) => {
    const base = blobStart + r.offset;
    if (base + r.length * 4 > bytes.length) fail(`truncated: blob ${r.name} ends past ${bytes.length} bytes`);
    const out = r.dtype === 'float32' ? new Float32Array(r.length) : new Uint32Array(r.length);
    if (out instanceof Float32Array) for (let i = 0; i < r.length; i++) out[i] = view.getFloat32(base + i * 4, true);
    else for (let i = 0; i < r.length; i++) out[i] = view.getUint32(base + i * 4, true);
    return out;
  };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
