import * as tf from '@tensorflow/tfjs';
import type { InitReport, InitSpec } from '@resnet-lab/spec';
import { decodeCheckpoint } from './checkpoint.codec';
import type { NamedWeights } from './model-dir.reader';
import { TrainingError } from './training.errors';

/** The layers that produce the model's outputs (the classifier, and GoogLeNet's auxiliary heads). */
export function headLayers(model: tf.LayersModel): Set<string> {
  return new Set(model.outputs.map((o) => o.sourceLayer.name));
}

const layerOf = (weightName: string) => weightName.split('/')[0]!;

/**
 * Stops training the layers `init.freeze` names (before the trainer collects its variables, so
 * frozen weights get no gradient, no weight decay and no momentum). Applied on every attempt,
 * resumed ones included, since the network is rebuilt each time. Returns the frozen layers.
 * A frozen batch-norm layer runs in inference mode, as Keras does: it normalises with its stored
 * moving statistics and leaves them alone, so a frozen layer stays exactly as loaded (in training
 * mode TensorFlow.js would normalise with each batch's statistics and keep updating them).
 */
export function freezeLayers(model: tf.LayersModel, freeze: InitSpec['freeze']): string[] {
  if (freeze === 'none') return [];
  const heads = headLayers(model);
  let chosen: tf.layers.Layer[];
  if (freeze === 'all-but-head') {
    chosen = model.layers.filter((l) => !heads.has(l.name));
  } else {
    const last = model.layers.findIndex((l) => l.name === freeze);
    if (last < 0) {
      throw new TrainingError(`init.freeze names layer "${freeze}", which this network does not have`, {
        retryable: false,
      });
    }
    chosen = model.layers.slice(0, last + 1);
  }
  const withWeights = chosen.filter((l) => l.trainableWeights.length > 0);
  for (const layer of withWeights) {
    layer.trainable = false;
    if (layer.getClassName() === 'BatchNormalization') inInferenceMode(layer);
  }
  return withWeights.map((l) => l.name);
}

/** The layer called as in evaluation whatever the model is called with (this layer instance only). */
function inInferenceMode(layer: tf.layers.Layer): void {
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
}

/** A checkpoint's weights by name (batch-norm moving statistics included). */
export function checkpointWeights(bytes: Uint8Array): NamedWeights {
  const checkpoint = decodeCheckpoint(bytes);
  return new Map(
    checkpoint.header.weights.map((ref, i) => [ref.name, { shape: ref.shape, data: checkpoint.weights[i]! }]),
  );
}

/**
 * Writes the source's weights into the model where name and shape match (limited to the layers
 * `init.load` lists, and leaving the output layers alone with `resetHead`). Every weight of the
 * model is either loaded or skipped with the reason; none is left out of the report.
 */
export function loadInitWeights(
  model: tf.LayersModel,
  init: InitSpec,
  stored: NamedWeights,
  source: InitReport['source'],
): Omit<InitReport, 'frozen'> {
  const wanted = init.load === 'matching' ? null : new Set(init.load);
  const known = new Set(model.layers.map((l) => l.name));
  for (const name of wanted ?? []) {
    if (!known.has(name)) {
      throw new TrainingError(`init.load names layer "${name}", which this network does not have`, {
        retryable: false,
      });
    }
  }
  const heads = headLayers(model);
  const loaded: string[] = [];
  const skipped: InitReport['skipped'] = [];
  tf.tidy(() => {
    for (const weight of model.weights) {
      const name = weight.originalName;
      const layer = layerOf(name);
      const match = stored.get(name);
      const shape = weight.shape as number[];
      let reason: string | null = null;
      if (init.resetHead && heads.has(layer)) reason = 'output layer, initialised afresh (resetHead)';
      else if (wanted && !wanted.has(layer)) reason = 'layer not listed in init.load';
      else if (!match) reason = 'not in the source checkpoint';
      else if (match.shape.join() !== shape.join()) {
        reason = `shape [${match.shape.join(', ')}] in the source, [${shape.join(', ')}] here`;
      }
      if (reason !== null) {
        skipped.push({ name, reason });
        continue;
      }
      weight.write(tf.tensor(match!.data, shape, 'float32'));
      loaded.push(name);
    }
  });
  return { source, loaded, skipped };
}
