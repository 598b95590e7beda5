import { join } from 'node:path';
import type { DatasetAccess } from '@resnet-lab/spec';
import { DatasetReader } from './dataset.files';
import { TrainingError } from './training.errors';

/** Named weights with their shapes, as a warm start matches them against a network. */
export type NamedWeights = Map<string, { shape: number[]; data: Float32Array }>;

interface WeightsManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string }[];
}

const bad = (message: string) => new TrainingError(message, { retryable: false });

/**
 * The weights of a TensorFlow.js LayersModel directory (`model.json` and the weight files its
 * manifest names), read through the dataset reader: the directory and every file must lie under
 * DATASET_ROOTS and stay within the file size limit. Only float32 weights are supported (what
 * `model.save` writes unquantised); the topology itself is not used, since weights are matched to
 * the experiment's own network by name and shape.
 */
export async function readModelDirWeights(dir: string, access?: DatasetAccess): Promise<NamedWeights> {
  const reader = new DatasetReader(access);
  const real = await reader.directory(dir);
  let manifest: WeightsManifestGroup[];
  try {
    const json = JSON.parse(new TextDecoder().decode(await reader.read(join(real, 'model.json')))) as {
      weightsManifest?: WeightsManifestGroup[];
    };
    if (!Array.isArray(json.weightsManifest)) throw new Error('no weightsManifest');
    manifest = json.weightsManifest;
  } catch (error) {
    if (error instanceof TrainingError) throw error;
    throw bad(`model directory ${dir}: model.json is not a TensorFlow.js model (${(error as Error).message})`);
  }
  const out: NamedWeights = new Map();
  for (const group of manifest) {
    const parts: Uint8Array[] = [];
    for (const path of group.paths) {
      if (path.includes('/') || path.startsWith('.'))
        throw bad(`model directory ${dir}: weight path ${path} leaves it`);
      parts.push(await reader.read(join(real, path)));
    }
    const bytes = Buffer.concat(parts);
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32')
        throw bad(`model directory ${dir}: weight ${w.name} is ${w.dtype}; only float32 loads`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      if (offset + count * 4 > bytes.length) throw bad(`model directory ${dir}: weight files end before ${w.name}`);
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(offset + i * 4);
      out.set(w.name, { shape: w.shape, data });
      offset += count * 4;
    }
  }
  return out;
}
