/**
 * The compute thread of the activations service (a `node:worker_threads` worker started by
 * ThreadPool): it builds a checkpoint's model, loads the experiment's test split and runs the
 * model truncated at a layer, off the API's event loop. Models and image sets stay cached for a
 * short while, so flipping between layers or images of one checkpoint does not rebuild anything;
 * evicted models are disposed (their weights are the only long-lived tensors), and the pool ends
 * an idle thread altogether.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { ExperimentSpec, specHash } from '@resnet-lab/spec';
import {
  ActivationProbe,
  LayerNotFoundError,
  loadProbeImages,
  modelFromCheckpoint,
  probeImage,
  type ProbeImages,
} from '@resnet-lab/trainer';
import { ActivationJobFailure, type ActivationJob, type ActivationJobResult } from './activation-job';

const TTL_MS = 60_000;
const MAX_MODELS = 2;
const MAX_IMAGE_SETS = 2;

interface Entry<T> {
  value: T;
  usedAt: number;
}
const probes = new Map<string, Entry<ActivationProbe>>();
const imageSets = new Map<string, Entry<Promise<ProbeImages>>>();

function touch<T>(cache: Map<string, Entry<T>>, key: string): T | undefined {
  const entry = cache.get(key);
  if (!entry) return undefined;
  entry.usedAt = Date.now();
  // Re-inserted so that Map order is least recently used first.
  cache.delete(key);
  cache.set(key, entry);
  return entry.value;
}

function evict(now: number, keepAtMost: number, keepAtMostImages: number): void {
  for (const [key, entry] of probes) {
    if (probes.size > keepAtMost || now - entry.usedAt > TTL_MS) {
      probes.delete(key);
      entry.value.dispose();
    }
  }
  for (const [key, entry] of imageSets) {
    if (imageSets.size > keepAtMostImages || now - entry.usedAt > TTL_MS) imageSets.delete(key);
  }
}
setInterval(() => evict(Date.now(), MAX_MODELS, MAX_IMAGE_SETS), 10_000).unref();

async function compute(job: ActivationJob): Promise<ActivationJobResult> {
  const spec = ExperimentSpec.parse(job.spec);
  let probe = touch(probes, job.checkpoint.sha256);
  if (!probe) {
    if (!job.checkpoint.bytes) throw new ActivationJobFailure({ kind: 'need-checkpoint' });
    probe = new ActivationProbe(modelFromCheckpoint(spec, job.checkpoint.bytes).model);
    probes.set(job.checkpoint.sha256, { value: probe, usedAt: Date.now() });
    evict(Date.now(), MAX_MODELS, MAX_IMAGE_SETS);
  }
  // The test split depends on the dataset and the network's input only, not on the checkpoint.
  const dataKey = specHash(ExperimentSpec.parse({ ...spec, training: {} }));
  let images = touch(imageSets, dataKey);
  if (!images) {
    images = loadProbeImages(spec, job.datasetAccess);
    imageSets.set(dataKey, { value: images, usedAt: Date.now() });
    images.catch(() => imageSets.delete(dataKey));
  }
  const set = await images;
  let picked: ReturnType<typeof probeImage>;
  try {
    picked = probeImage(set, job.image);
  } catch (error) {
    throw new ActivationJobFailure({ kind: 'bad-input', field: 'image', message: (error as Error).message });
  }
  let result: ReturnType<ActivationProbe['run']>;
  try {
    result = probe.run(picked.input, job.layer, job.selection);
  } catch (error) {
    if (error instanceof LayerNotFoundError || error instanceof RangeError) {
      throw new ActivationJobFailure({ kind: 'bad-input', field: 'layer', message: error.message });
    }
    throw error;
  }
  const [height, width, channels] = [set.test.height, set.test.width, set.test.channels];
  return {
    image: { label: picked.label, pixels: picked.pixels, height, width, channels },
    testImages: set.test.count,
    ...result,
  };
}

await tf.setBackend('cpu');
// The tfjs `cpu` backend: the native engine is an N-API addon not built for use from worker
// threads, and one image's forward pass is cheap next to training.
parentPort!.on('message', (message: ActivationJob & { id: number }) => {
  compute(message).then(
    (result) => parentPort!.postMessage({ id: message.id, ok: true, result }),
    (error: unknown) => {
      const reply =
        error instanceof ActivationJobFailure
          ? error.reply
          : { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
      parentPort!.postMessage({ id: message.id, ok: false, error: reply });
    },
  );
});
