import { isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import type { DatasetAccess } from '@resnet-lab/spec';
import { DatasetReader } from './dataset.files';
import { TrainingError } from './training.errors';

/** Named weights with their shapes, as a warm start matches them against a network. */
export type NamedWeights = Map<string, { shape: number[]; data: Float32Array }>;

/**
 * The part of `model.json` a warm start reads: the weights manifest. Quantised weights (which
 * `tfjs-converter` writes with --quantize) carry a `quantization` entry and are refused by name.
 */
const WeightsManifest = z.array(
  z.object({
    paths: z.array(z.string().min(1)),
    weights: z.array(
      z.object({
        name: z.string(),
        shape: z.array(z.number().int().nonnegative()),
        dtype: z.string(),
        quantization: z.unknown().optional(),
      }),
    ),
  }),
);
type WeightsManifest = z.infer<typeof WeightsManifest>;

const bad = (message: string) => new TrainingError(message, { retryable: false });

/**
 * The weights of a TensorFlow.js LayersModel directory (`model.json` and the weight files its
 * manifest names), read through the dataset reader: the directory and every file must lie under
 * DATASET_ROOTS and stay within the file size limit. Only unquantised float32 weights are
 * supported (what `model.save` writes); the topology itself is not used, since weights are matched
 * to the experiment's own network by name and shape. Every problem is a TrainingError that is not
 * retried: the directory will not fix itself.
 */
export async function readModelDirWeights(dir: string, access?: DatasetAccess): Promise<NamedWeights> {
  const reader = new DatasetReader(access);
  const real = await reader.directory(dir);
  const manifest = parseManifest(dir, await reader.read(join(real, 'model.json')));
  const out: NamedWeights = new Map();
  for (const group of manifest) {
    const parts: Uint8Array[] = [];
    for (const path of group.paths) parts.push(await reader.read(insideDir(dir, real, path)));
    const bytes = Buffer.concat(parts);
    let offset = 0;
    for (const w of group.weights) {
      checkLoadable(dir, w);
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

/**
 * At submit: why a model directory cannot be loaded, judged from its `model.json` (the weight
 * files are read by the trainer); null when it looks loadable, or when this machine cannot see it
 * (the API may not share the workers' disk, and the trainer checks again).
 */
export async function modelDirProblem(dir: string, access?: DatasetAccess): Promise<string | null> {
  const reader = new DatasetReader(access);
  let real: string;
  try {
    real = await reader.directory(dir);
  } catch {
    return null;
  }
  try {
    for (const group of parseManifest(dir, await reader.read(join(real, 'model.json')))) {
      for (const path of group.paths) insideDir(dir, real, path);
      for (const w of group.weights) checkLoadable(dir, w);
    }
    return null;
  } catch (error) {
    if (error instanceof TrainingError) return error.message;
    throw error;
  }
}

/** Only unquantised float32 weights load. */
function checkLoadable(dir: string, w: WeightsManifest[number]['weights'][number]): void {
  if (w.quantization !== undefined) {
    throw bad(`model directory ${dir}: weight ${w.name} is quantised; only unquantised float32 loads`);
  }
  if (w.dtype !== 'float32') throw bad(`model directory ${dir}: weight ${w.name} is ${w.dtype}; only float32 loads`);
}

function parseManifest(dir: string, bytes: Uint8Array): WeightsManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw bad(`model directory ${dir}: model.json is not JSON (${(error as Error).message})`);
  }
  const manifest = WeightsManifest.safeParse((json as { weightsManifest?: unknown } | null)?.weightsManifest);
  if (!manifest.success) {
    const issue = manifest.error.issues[0]!;
    const at = ['weightsManifest', ...issue.path].join('.');
    throw bad(`model directory ${dir}: model.json is not a TensorFlow.js model (${at}: ${issue.message})`);
  }
  return manifest.data;
}

/** A manifest's weight path ("shard1.bin", "./shard1.bin", "weights/shard1.bin"), kept inside the directory. */
function insideDir(dir: string, real: string, path: string): string {
  const relative = normalize(path);
  if (isAbsolute(relative) || relative.split(sep).includes('..')) {
    throw bad(`model directory ${dir}: weight path ${path} leaves it`);
  }
  return join(real, relative);
}
