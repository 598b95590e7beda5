import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, readCheckpointNormalizer, sha256Hex } from './checkpoint.codec';
import { SeededRng } from './seeded.rng';
import { TrainingError } from './training.errors';

const content = () => ({
  header: {
    epoch: 2,
    globalStep: 20,
    specHash: 'abc',
    backend: 'cpu',
    rng: {
      order: SeededRng.fromSeed(1).state(),
      augment: SeededRng.fromSeed(2).state(),
      dropout: SeededRng.fromSeed(3).state(),
    },
    schedule: { warmupDone: false, recentErrors: [0.5] },
    best: { epoch: 1, validationError: 0.25 },
  },
  weights: [
    { name: 'conv/kernel', shape: [3, 3, 1, 2], data: Float32Array.from({ length: 18 }, (_, i) => i / 7) },
    { name: 'dense/bias', shape: [3], data: Float32Array.of(-1.5, Number.MIN_VALUE, 3e38) },
  ],
  velocities: [new Float32Array(18).fill(0.25)],
  dataOrder: Uint32Array.of(3, 1, 2, 0),
});

describe('checkpoint codec', () => {
  it('round-trips weights, momentum, RNG states, data order and schedule state exactly', () => {
    const { bytes, sha256 } = encodeCheckpoint(content());
    expect(sha256).toBe(sha256Hex(bytes));
    const d = decodeCheckpoint(bytes);
    expect(d.weights).toEqual(content().weights.map((w) => w.data));
    expect(d.velocities).toEqual(content().velocities);
    expect(d.dataOrder).toEqual(content().dataOrder);
    expect(d.header).toMatchObject({ ...content().header, format: 'resnet-lab-checkpoint', version: 1 });
    expect(d.header.weights.map((w) => [w.name, w.shape])).toEqual([
      ['conv/kernel', [3, 3, 1, 2]],
      ['dense/bias', [3]],
    ]);
  });

  it('stores the input normalisation when given, and reads checkpoints without one as null', () => {
    const normalizer = {
      kind: 'per-pixel-mean',
      offset: Float32Array.of(12.5, 130, 0.1),
      scale: Float32Array.of(1 / 255, 1 / 255, 1 / 255),
    };
    const { bytes } = encodeCheckpoint({ ...content(), normalizer });
    expect(decodeCheckpoint(bytes).normalizer).toEqual(normalizer);
    expect(readCheckpointNormalizer(bytes)).toEqual(normalizer);
    // The other blobs are unaffected by it.
    expect(decodeCheckpoint(bytes).dataOrder).toEqual(content().dataOrder);
    expect(decodeCheckpoint(encodeCheckpoint(content()).bytes).normalizer).toBeNull();
  });

  it('is byte-identical for identical content, and decodes from a view at an offset', () => {
    const a = encodeCheckpoint(content());
    expect(encodeCheckpoint(content()).sha256).toBe(a.sha256);
    const padded = new Uint8Array(a.bytes.length + 3);
    padded.set(a.bytes, 3);
    expect(decodeCheckpoint(padded.subarray(3)).dataOrder).toEqual(content().dataOrder);
  });

  it('rejects foreign or truncated bytes with a non-retryable TrainingError', () => {
    const { bytes } = encodeCheckpoint(content());
    expect(() => decodeCheckpoint(new TextEncoder().encode('{"json": true}'))).toThrow(/wrong magic/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 20))).toThrow(/truncated header/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated: blob dataOrder/);
    try {
      decodeCheckpoint(bytes.subarray(0, 5));
    } catch (err) {
      expect(err).toBeInstanceOf(TrainingError);
      expect((err as TrainingError).retryable).toBe(false);
    }
  });
});

describe('SeededRng', () => {
  it('is reproducible per seed and stream, and continues exactly from a saved state', () => {
    const a = SeededRng.fromSeed(42, 'x');
    const b = SeededRng.fromSeed(42, 'x');
    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual(Array.from({ length: 5 }, () => b.nextUint32()));
    expect(SeededRng.fromSeed(42, 'y').nextUint32()).not.toBe(SeededRng.fromSeed(42, 'x').nextUint32());
    const restored = SeededRng.fromState(a.state());
    expect(Array.from({ length: 5 }, () => restored.next())).toEqual(Array.from({ length: 5 }, () => a.next()));
  });

  it('draws permutations and roughly uniform numbers', () => {
    const rng = SeededRng.fromSeed(0);
    expect(Array.from(rng.permutation(100)).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += rng.next();
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });
});
