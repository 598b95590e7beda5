import type { ExperimentSpec } from '@resnet-lab/spec';

/**
 * Converts a checkpoint to tfjs LayersModel artifacts. The trainer (and with it TensorFlow.js) is
 * imported on first use only, so the API starts fast; the last few conversions are kept because a
 * client fetches model.json and then weights.bin of the same checkpoint.
 */
const cache = new Map<string, Promise<{ modelJson: object; weights: Uint8Array }>>();
const CACHE_SIZE = 4;

export function exportLayersModel(spec: ExperimentSpec, sha256: string, bytes: Uint8Array) {
  let entry = cache.get(sha256);
  if (!entry) {
    entry = import('@resnet-lab/trainer').then(async ({ checkpointToLayersModel }) => {
      const tf = await import('@tensorflow/tfjs');
      // The API only ever needs the plain JavaScript backend for this small job.
      if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
      return checkpointToLayersModel(spec, bytes);
    });
    entry.catch(() => cache.delete(sha256));
    cache.set(sha256, entry);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return entry;
}
